"""What several tools share: the staff check of the pipeline tools, the month argument, and JSON values."""

import re
from datetime import UTC, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from api.errors import ApiError


def require_staff(caller) -> None:
    """The pipeline is OpenLEG's own sales work: a utility's token never sees it (tokens.py already refuses the
    scope to such a token; this is the second lock)."""
    if not caller.is_staff:
        raise ApiError(
            "staff_only", _("Dieses Werkzeug steht nur Staff-Tokens offen."), status=403, details={"staff": True}
        )


class MonthField(serializers.CharField):
    """A calendar month written ``YYYY-MM``; validated to ``(year, month)``."""

    default_error_messages = {"month": gettext_lazy("Einen Monat in der Form JJJJ-MM angeben, z. B. 2026-03.")}

    def to_internal_value(self, data) -> tuple[int, int]:
        text = super().to_internal_value(data)
        match = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not match or not 1 <= int(match[2]) <= 12:
            self.fail("month")
        return int(match[1]), int(match[2])


def iso_utc(moment: datetime | None) -> str | None:
    """An aware time as ISO 8601 in UTC with a ``Z`` (what machines get everywhere in the API)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"
