from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models.metering_points import metering_point_id_validator
from metering.parsers import GenericMapping
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
    """The proposed column mapping as drop-downs of the file's own columns, for staff to correct and confirm once
    per layout. What a person does not choose here (delimiter, header row, encoding, value marks) stays as the
    proposal read it from the file."""

    utility = forms.ModelChoiceField(queryset=None, label=_("Netzbetreiber"))
    name = forms.CharField(label=_("Bezeichnung"), max_length=100)
    layout = forms.ChoiceField(
        label=_("Aufbau"),
        choices=[
            ("long", _("eine Zeile pro Viertelstunde")),
            ("wide", _("eine Zeile pro Tag, Viertelstunden als Spalten")),
        ],
    )
    timestamp_column = forms.ChoiceField(label=_("Spalte Zeitpunkt (Datum und Zeit)"), required=False)
    date_column = forms.ChoiceField(label=_("Spalte Datum"), required=False)
    time_column = forms.ChoiceField(label=_("Spalte Uhrzeit"), required=False)
    labels = forms.ChoiceField(
        label=_("Die Zeit nennt"),
        choices=[("start", _("den Beginn der Viertelstunde")), ("end", _("das Ende der Viertelstunde"))],
    )
    unit = forms.ChoiceField(
        label=_("Einheit der Werte"), choices=[("kWh", _("kWh")), ("kW", _("kW (Mittelwert der Viertelstunde)"))]
    )
    consumption_columns = forms.MultipleChoiceField(label=_("Spalten Bezug"), required=False)
    production_columns = forms.MultipleChoiceField(label=_("Spalten Einspeisung"), required=False)
    metering_point_column = forms.ChoiceField(label=_("Spalte Messpunkt"), required=False)
    direction_column = forms.ChoiceField(label=_("Spalte Richtung (Zeile pro Tag)"), required=False)
    quality_column = forms.ChoiceField(label=_("Spalte Qualität"), required=False)

    COLUMN_FIELDS = ("timestamp_column", "date_column", "time_column", "metering_point_column")
    COLUMN_FIELDS += ("direction_column", "quality_column")
    LIST_FIELDS = ("consumption_columns", "production_columns")

    def __init__(self, *args, proposal: GenericMapping, columns: list[str], **kwargs):
        initial = {key: value for key, value in proposal.to_dict().items() if key in self.base_fields}
        super().__init__(*args, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)
        self.proposal = proposal
        self.fields["utility"].queryset = Utility.objects.order_by("name")
        pairs = [(column, column) for column in columns]
        for name in self.COLUMN_FIELDS:
            self.fields[name].choices = [("", "–"), *pairs]
        for name in self.LIST_FIELDS:
            self.fields[name].choices = pairs

    def mapping(self) -> dict:
        """The proposal with the person's choices; call after ``is_valid``."""
        chosen = {key: self.cleaned_data[key] for key in (*self.COLUMN_FIELDS, "layout", "labels", "unit")}
        chosen = {key: value or None for key, value in chosen.items()}
        chosen.update({key: list(self.cleaned_data[key]) for key in self.LIST_FIELDS})
        return {**self.proposal.to_dict(), **chosen}


OTHER_MAPPING_LABELS = {
    "delimiter": _("Trennzeichen"),
    "header_row": _("Kopfzeile (Zeile)"),
    "decimal_comma": _("Dezimalkomma"),
    "unit_label": _("Vorspannzeile mit der Einheit"),
    "unit_column": _("Spalte Einheit"),
    "metering_point_label": _("Vorspannzeile mit dem Messpunkt"),
    "consumption_values": _("Werte der Richtungsspalte für Bezug"),
    "production_values": _("Werte der Richtungsspalte für Einspeisung"),
    "measured_values": _("Qualitätswerte für «gemessen»"),
    "encoding": _("Zeichensatz"),
}
DELIMITERS = {";": _("Semikolon (;)"), ",": _("Komma (,)"), "\t": _("Tabulator")}


def mapping_rows(mapping: dict) -> list[tuple[str, str]]:
    """A saved mapping as (German name, value) rows, with the drop-downs' own labels for their choices."""
    rows = []
    for key, value in mapping.items():
        field = MappingConfirmForm.base_fields.get(key)
        label = field.label if field is not None else OTHER_MAPPING_LABELS.get(key, key)
        if key == "header_row" and isinstance(value, int):
            value = value + 1  # people count lines from 1
        elif key == "delimiter":
            value = DELIMITERS.get(value, value)
        elif isinstance(value, bool):
            value = _("ja") if value else _("nein")
        elif isinstance(value, list):
            value = ", ".join(value)
        elif field is not None and getattr(field, "choices", None) and key not in MappingConfirmForm.COLUMN_FIELDS:
            value = dict(field.choices).get(value, value)
        rows.append((str(label), str(value) if value not in (None, "") else "–"))
    return rows
