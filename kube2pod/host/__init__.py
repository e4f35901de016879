"""The host Podman runs on: facts read once (facts.py), checks of a plan against
them before anything changes (preflight.py), and the ownership fixes a rootless
user may opt into (ownership.py). Translation never reads the host.
"""
