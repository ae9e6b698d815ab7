"""The one error type of the domain: doors turn it into a message, an HTTP answer or an exit code."""


class DomainError(Exception):
    """A rule of the business was broken; ``message`` is meant for the user (German)."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "permission_denied"
