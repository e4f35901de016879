"""Errors of the apply layer (the CLI turns them into exit status 1)."""


class ApplyError(Exception):
    """A failure while applying or removing; the message says what failed."""


class ConnectionFailed(ApplyError):
    """Podman's REST API could not be reached or started."""
