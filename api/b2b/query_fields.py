"""Query parameter fields that take exactly what the OpenAPI schema says: DRF's own number fields also take
"2025.0", " 2025", "2_025" and non-ASCII digits, and a nullable choice takes "" as null, which the schema (and so
the contract test) calls invalid. The B2B endpoints' query serializers use these for numbers and cantons."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from api.errors import not_found
from pipeline.cantons import Canton

ASCII_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
CANTON_PATTERN = re.compile(r"^[A-Za-z]{2}$", re.ASCII)
ASCII_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


class AsSent:
    """DRF reads a query string like a form: an empty optional parameter ("canton=") counts as not sent. Here what
    was sent is validated, so "canton=" is refused rather than read as all of Switzerland."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, empty)


class QueryIntegerField(AsSent, serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, str) and not ASCII_INTEGER.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryDecimalField(AsSent, serializers.DecimalField):
    def to_internal_value(self, data):
        if isinstance(data, str) and not ASCII_DECIMAL.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryChoiceField(AsSent, serializers.ChoiceField):
    """One of the choices; "size_band=" is refused, not read as not sent."""


def canton_code(value: str | None) -> str | None:
    """A canton code as asked (any case) in upper case; an unknown code is a 404 (like an unknown municipality)."""
    if not value:
        return None
    code = value.upper()
    if code not in Canton.values:
        raise not_found(_("Kanton"), value)
    return code


@extend_schema_field({"type": "string", "pattern": CANTON_PATTERN.pattern})
class QueryCantonField(AsSent, serializers.CharField):
    """A canton code: two letters, any case (the schema's pattern); leave the parameter out (``required=False``) for
    all of Switzerland: the validated query then has no "canton", which the pipeline reads as None. "canton=" or
    anything but two letters is refused (400), an unknown code answers 404 ``not_found``."""

    default_error_messages = {"invalid": _lazy("Bitte ein Kantonskürzel aus zwei Buchstaben angeben, z. B. ZH.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Kantonskürzel, z. B. ZH (weglassen: ganze Schweiz).")
        super().__init__(trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not CANTON_PATTERN.fullmatch(value):
            self.fail("invalid")
        return canton_code(value)
