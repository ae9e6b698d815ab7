"""Forms of the documents console. They collect input; what may be recorded is decided by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.paper_signatures import MAX_SCAN_BYTES, paper_signature_record
from documents.signing import SignatureRefused
from openleg.storage import StorageFull


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

    def record(self, *, document, actor, door):
        """Record the paper signature the valid form describes; a refusal becomes the form's error, None returned."""
        try:
            return paper_signature_record(
                document=document,
                # One byte more than allowed is enough for the service to refuse a file that is too large.
                scan=self.cleaned_data["scan"].read(MAX_SCAN_BYTES + 1),
                signed_on=self.cleaned_data["signed_on"],
                note=self.cleaned_data["note"],
                actor=actor,
                door=door,
            )
        except (SignatureRefused, StorageFull) as refused:
            self.add_error(None, refused.message)
            return None
