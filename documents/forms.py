"""Forms of the documents console. They collect input; what may be recorded is decided by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PaperSignatureForm(forms.Form):
    # An empty file passes here: paper_signature_record says what is wrong with a scan, for every door alike.
    scan = forms.FileField(
        label=_("Scan des unterzeichneten Dokuments"), allow_empty_file=True, help_text=_("PDF, höchstens 20 MB.")
    )
    signed_on = forms.DateField(
        label=_("unterzeichnet am"),
        help_text=_("Das Datum auf dem Papier."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Bemerkung"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 80})
    )
