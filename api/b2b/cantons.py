"""A client with ``allowed_cantons`` asks only about those cantons: a question about another canton, or about all
of Switzerland, is refused naming the cantons it may ask about."""

from django.utils.translation import gettext as _

from api.errors import ApiError
from api.models import ApiClient


def check_canton(client: ApiClient, canton: str | None) -> None:
    """403 ``canton_not_allowed`` unless ``canton`` (None: all of Switzerland) is open to ``client``."""
    allowed = list(client.allowed_cantons)
    if not allowed or (canton is not None and canton in allowed):
        return
    if canton is None:
        message = _("Ihr Zugang gilt nur für die Kantone %(cantons)s; bitte einen davon angeben.")
    else:
        message = _("Der Kanton %(canton)s ist für Ihren Zugang nicht freigegeben; erlaubt: %(cantons)s.")
    raise ApiError(
        "canton_not_allowed",
        message % {"canton": canton, "cantons": ", ".join(allowed)},
        status=403,
        details={"allowed_cantons": allowed},
    )
