"""The CSV mapping confirmation step of a staged file's preview, shared by the admin and the portal: the form over
the file's columns and the file as the chosen (else the proposed) mapping reads it. Reads only."""

from contextlib import suppress

from metering.forms import MappingConfirmForm
from metering.mapping_preview import MappingPreview, mapping_preview
from metering.models import MeterImport
from metering.parsers import GenericMapping
from metering.parsers.generic import sniff


def mapping_step(
    meter_import: MeterImport, data=None, *, form_class=MappingConfirmForm, initial: dict | None = None
) -> tuple[MappingConfirmForm, MappingPreview, bytes]:
    """The mapping form (bound to ``data`` when given), its preview and the staged file's bytes."""
    with meter_import.file.open("rb") as handle:
        content = handle.read()
    proposal = sniff(content)
    columns = mapping_preview(content, proposal).columns
    mapping_form = form_class(data, proposal=proposal, columns=columns, initial=initial or {})
    shown = proposal
    if mapping_form.is_bound and mapping_form.is_valid():
        # a mapping that does not hold keeps the proposal in the preview; the confirmation names what is wrong
        with suppress(ValueError):
            shown = GenericMapping.from_dict(mapping_form.mapping())
    return mapping_form, mapping_preview(content, shown), content
