"""The small forms of the sales console: a stage move, a contact, the next action, the dashboard's canton."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pipeline.cantons import Canton
from pipeline.models import PipelineEvent, Stage


class StageMoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("neue Phase"), choices=Stage.choices)
    note = forms.CharField(
        label=_("Notiz"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Für «verloren» ist der Grund nötig."),
    )

    def __init__(self, *args, targets: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["to_stage"].choices = [(stage, Stage(stage).label) for stage in targets]


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("Kanal"), choices=PipelineEvent.Channel.choices)
    summary = forms.CharField(label=_("Was wurde besprochen?"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))
    at = forms.DateTimeField(
        label=_("Zeitpunkt"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leer lassen für jetzt."),
    )


class NextActionForm(forms.Form):
    action = forms.CharField(label=_("nächster Schritt"), max_length=200, required=False)
    due = forms.DateField(
        label=_("fällig am"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Beides leer lassen, um den nächsten Schritt zu entfernen."),
    )


class DashboardFilterForm(forms.Form):
    canton = forms.ChoiceField(label=_("Kanton"), required=False, choices=[("", _("alle Kantone")), *Canton.choices])

    def canton_or_none(self) -> str | None:
        return (self.cleaned_data.get("canton") or None) if self.is_valid() else None
