"""Saved mappings for CSV layouts without a parser of their own: confirmed once, used from then on.

A layout is known by its signature, the header row of the file as the sniffer finds it.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from metering.models import CsvMapping
from metering.parsers import GenericMapping
from metering.parsers.generic import sniff
from metering.parsers.table import decode, first_lines
from openleg.periods import utc_now


def layout_signature(data: bytes, mapping: GenericMapping | None = None) -> str:
    """The header row of the file, which names the layout."""
    mapping = mapping or sniff(data)
    decoded = decode(data, mapping.encoding)
    if decoded is None:
        return ""
    lines = first_lines(decoded.text, mapping.header_row + 1)
    return lines[mapping.header_row].strip()[:500] if len(lines) > mapping.header_row else ""


def saved_mapping_for(data: bytes, *, utility=None) -> GenericMapping | None:
    """The utility's own confirmation for this layout first, else the latest anyone confirmed."""
    candidates = CsvMapping.objects.filter(signature=layout_signature(data)).order_by("-confirmed_at")
    own = candidates.filter(utility=utility).first() if utility is not None else None
    saved = own or candidates.first()
    return GenericMapping.from_dict(saved.mapping) if saved else None


def csv_mapping_confirm(*, utility, data: bytes, mapping: dict, name: str, actor) -> CsvMapping:
    """Save the mapping a person confirmed for this layout; a second confirmation replaces the first."""
    try:
        confirmed = GenericMapping.from_dict(mapping)
    except ValueError as error:
        raise ValidationError(_("Die Zuordnung ist ungültig: %(reason)s") % {"reason": error}) from error
    signature = layout_signature(data, confirmed)
    if not signature:
        raise ValidationError(_("In dieser Datei wurde keine Kopfzeile gefunden."))
    saved, _created = CsvMapping.objects.update_or_create(
        utility=utility,
        signature=signature,
        defaults={
            "name": name,
            "mapping": confirmed.to_dict(),
            "confirmed_by": recorded_user(actor),
            "confirmed_at": utc_now(),
        },
    )
    return saved
