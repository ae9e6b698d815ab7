"""Forms of the portal's meter data pages: the utility is always the user's own, never a choice."""

from django import forms
from django.utils.translation import gettext_lazy as _

from metering.forms import MappingConfirmForm, MeterUploadForm


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]
        return [super(_MultipleFileField, self).clean(upload, initial) for upload in files or [None]]


class MeterFilesForm(forms.Form):
    files = _MultipleFileField(
        label=_("Messdatendateien"),
        help_text=_(
            "Eine oder mehrere Dateien: SDAT-CH XML (E66, E31) oder CSV-Export. Jede Datei erhält ihre "
            "eigene Vorschau; übernommen wird erst, wenn Sie es bestätigen."
        ),
    )
    metering_point = MeterUploadForm.base_fields["metering_point"]  # the admin's field: the same rule and words


class PortalMappingConfirmForm(MappingConfirmForm):
    """The admin's mapping confirmation without the choice of utility: it is saved for the user's own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["utility"]
