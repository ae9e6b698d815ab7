"""Long identifiers shortened for admin pages, with the full value on hover.

Metering point ids, hashes and file names are what makes admin tables wider than a screen. IBANs
stay whole: they appear only on the payout pages, where a clerk compares them with the bank's.
One helper serves list columns (``short_column``), read-only fields and templates (the
``shortened`` filter in ``openleg_admin``); the look is ``.ol-short`` in ``openleg/admin.css``.
"""

from collections.abc import Callable
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

# How many characters of the start and of the end stay visible, per kind of value.
KEEP = {
    "id": (8, 8),  # metering point ids: the country and utility part, and the running number
    "hash": (12, 0),
    "file": (14, 10),  # keeps the extension and the date part most exports end with
}
EMPTY = "–"


def shortened(value: Any, *, kind: str) -> SafeString:
    """``value`` as safe HTML: as it is when short, else head…tail in a span titled with all of it."""
    if value is None or value == "":
        return SafeString(EMPTY)
    text = str(value)
    head, tail = KEEP[kind]
    if len(text) <= head + tail + 1:
        return escape(text)
    visible = text[:head] + "…" + (text[-tail:] if tail else "")
    return format_html('<span class="ol-short" title="{}">{}</span>', text, visible)


def short_column(path: str, description: str, *, kind: str) -> Callable[[Any], SafeString]:
    """A ``list_display`` entry showing the attribute at ``path`` (``a__b``) shortened, sortable by it."""

    def column(obj: Any) -> SafeString:
        value = obj
        for name in path.split("__"):
            value = getattr(value, name, None)
            if value is None:
                break
        return shortened(value, kind=kind)

    column.__name__ = f"{path}_short"
    column.short_description = description
    column.admin_order_field = path
    return column
