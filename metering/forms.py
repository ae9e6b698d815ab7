from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models.metering_points import metering_point_id_validator
from pipeline.models import Utility


class MeterUploadForm(forms.Form):
    file = forms.FileField(label=_("Messdatendatei"), help_text=_("SDAT-CH XML (E66, E31) oder CSV-Export"))
    utility = forms.ModelChoiceField(
        queryset=Utility.objects.order_by("name"),
        label=_("Netzbetreiber"),
        required=False,
        help_text=_("Für CSV-Formate, deren Spaltenzuordnung pro Netzbetreiber gespeichert ist."),
    )
    metering_point = forms.CharField(
        label=_("Messpunkt"),
        required=False,
        max_length=33,
        validators=[metering_point_id_validator],
        help_text=_("Nur für Formate ohne Messpunkt-ID (z. B. EKZ)."),
    )


class MeterApplyForm(forms.Form):
    create_unknown = forms.BooleanField(label=_("Unbekannte Messpunkte anlegen"), required=False)


class MappingConfirmForm(forms.Form):
    """The proposed column mapping as JSON, for staff to correct and confirm once per layout."""

    utility = forms.ModelChoiceField(queryset=None, label=_("Netzbetreiber"))
    name = forms.CharField(label=_("Bezeichnung"), max_length=100)
    mapping = forms.JSONField(label=_("Spaltenzuordnung"), widget=forms.Textarea(attrs={"rows": 16, "cols": 90}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["utility"].queryset = Utility.objects.order_by("name")
