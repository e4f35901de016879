"""Errors of the apply layer (the CLI turns them into exit status 1; an ownership conflict, found
before anything changes, into 2)."""


class ApplyError(Exception):
    """A failure while applying or removing; the message says what failed."""


class ConnectionFailed(ApplyError):
    """Podman's REST API could not be reached or started."""


class OwnershipConflict(ApplyError):
    """An object of the plan exists and belongs to another kube2pod project (found before any change)."""
