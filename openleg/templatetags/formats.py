"""The one filter library for numbers, amounts and times in templates (admin, portal, documents, e-mails).

A built-in of every template engine (settings.TEMPLATES and documents.templating), so templates use the filters
without loading them. Each filter is a function of openleg.formats; a missing value (None, "") shows as "–".
"""

from django import template
from django.utils.safestring import mark_safe

from openleg import formats

register = template.Library()

MISSING = "–"


def _or_missing(function):
    def wrapped(value):
        # safe: digits, separators and fixed units only, so the apostrophe is not escaped to &#x27;
        return MISSING if value is None or value == "" else mark_safe(function(value))

    wrapped.__doc__ = function.__doc__
    return wrapped


FILTERS = {
    "chf": formats.format_chf,  # 1'234.50 (the column or sentence says CHF)
    "chf_text": formats.format_chf_text,  # CHF 1'234.50
    "rappen": formats.format_price,  # 18.50, 22.125 (the column or sentence says Rp./kWh)
    "rp_per_kwh": formats.format_rp_per_kwh,  # 18.50 Rp./kWh
    "kwh": formats.format_kwh_value,  # kWh given as kWh: 3'613.200
    "wh_as_kwh": formats.format_kwh,  # integer Wh shown in kWh: 3'613.200
    "kw": formats.format_kw,  # 25, 12.5, 1'500
    "percent": formats.format_percent,  # 40.0 %
    "key_weight": formats.format_key_weight,  # 0.25, 0.333333
    "day": formats.format_day,  # 07.12.2026 (a moment: its Europe/Zurich day)
    "moment": formats.format_moment,  # 07.12.2026 14:05 in Europe/Zurich
}

for name, function in FILTERS.items():
    register.filter(name, _or_missing(function))
