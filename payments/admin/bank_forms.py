from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Community


class BankFileUploadForm(forms.Form):
    file = forms.FileField(label=_("Bankdatei (camt.054 oder camt.053)"))


class AssignForm(forms.Form):
    invoice_number = forms.CharField(
        label=_("Rechnungsnummer"), max_length=20, help_text=_("z. B. 7-000042 oder 42 (Rechnung dieser Gemeinschaft)")
    )


class OpenItemsFilterForm(forms.Form):
    community = forms.ModelChoiceField(
        queryset=Community.objects.order_by("name"),
        required=False,
        empty_label=_("alle Gemeinschaften"),
        label=_("Gemeinschaft"),
    )
