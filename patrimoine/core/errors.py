"""Domain errors: raised by services with a French message the user can act on."""


class DomainError(Exception):
    """A business rule refused the action; `str(error)` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class PermissionRefused(DomainError):
    """The acting user may not do this here."""


class ConcurrentEditError(DomainError):
    """Someone else saved the same object since it was loaded (optimistic locking)."""
