"""The API's one error shape: ``{"error": {"code": "...", "message": "...", "details": {...}}}``.

Codes are stable English words a program can branch on; messages are German sentences for people, like the rest of
the product. Both doors (DRF and MCP) raise ``ApiError``; the DRF exception handler and the MCP tool wrapper turn it
into the shape above.
"""

from django.utils.translation import gettext as _


class ApiError(Exception):
    def __init__(self, code: str, message: str, *, status: int, details: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.status = status
        self.details = details or {}

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def not_found(what: str, key) -> ApiError:
    """Unknown, or not the caller's: both look the same (a tenant never learns what another one has)."""
    return ApiError(
        "not_found",
        _("%(what)s «%(key)s» gibt es nicht.") % {"what": what, "key": key},
        status=404,
        details={"object": what, "key": str(key)},
    )


def scope_missing(scope: str) -> ApiError:
    return ApiError(
        "scope_missing",
        _("Diesem Token fehlt die Berechtigung «%(scope)s».") % {"scope": scope},
        status=403,
        details={"scope": scope},
    )


def invalid(fields: dict[str, list[str]]) -> ApiError:
    """Bad arguments: ``fields`` maps each argument to its German messages."""
    names = ", ".join(sorted(fields))
    return ApiError(
        "invalid", _("Ungültige Angaben: %(fields)s.") % {"fields": names}, status=400, details={"fields": fields}
    )
