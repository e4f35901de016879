"""Helpers shared by the tests: the CLI in-process, the isolated Podman, inspect facts, manifests, Quadlet."""
