"""Snapshot testing of translations: what manifests become on Podman, as files to keep in git.

``outputs.snapshot_files`` renders a manifest set to named files (convert.sh, plan.json,
plan.yaml, systemd/*, quadlet/*, diagnostics.txt); ``compare`` checks them against a directory with
readable diffs and writes them. The pytest plugin (``plugin``) and ``kube2pod convert
--check/--update-snapshots`` are both built on these two modules.
"""
