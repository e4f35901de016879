"""The host Podman runs on: facts read once (facts.py), checks of a plan against
them before anything changes (checks.py), and the ownership fixes the checks propose
(ownership_fix.py; apply/chown.py carries them out). Nothing here changes the host, and
translation never reads it.
"""
