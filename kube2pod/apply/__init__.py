"""Apply: Plan -> podman-py calls. The only layer that touches the host."""
