"""Forms of the billing console. They collect input; the rules of approval and cancellation live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import AllocationMethod, BillingRun

KEY_METHODS = (AllocationMethod.STATIC, AllocationMethod.STATIC_REDISTRIBUTED)


def run_state(run: BillingRun) -> str:
    """What a confirmation page showed: if the run changed before the POST, the page has to be read again."""
    return f"{run.status}|{run.computed_at.isoformat() if run.computed_at else ''}"


class RunConfirmForm(forms.Form):
    state = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, run: BillingRun, **kwargs):
        super().__init__(*args, **kwargs)
        self.run = run
        self.fields["state"].initial = run_state(run)

    def clean_state(self) -> str:
        state = self.cleaned_data["state"]
        if state != run_state(self.run):
            raise forms.ValidationError(
                _("Der Lauf wurde geändert, seit diese Seite geöffnet wurde. Bitte prüfen Sie die Angaben erneut.")
            )
        return state


class RunApproveForm(RunConfirmForm):
    # Not required here: billing_run_approve decides when a reason is needed and says so in German.
    reason = forms.CharField(
        label=_("Begründung"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 80})
    )
    override_missing = forms.BooleanField(label=_("fehlende Daten übersteuern"), required=False)

    def __init__(self, *args, run: BillingRun, **kwargs):
        super().__init__(*args, run=run, **kwargs)
        if run.deviations or run.blocking_issues:
            self.fields["reason"].widget.attrs["required"] = True
            self.fields["reason"].help_text = _("Pflichtfeld, weil der Lauf Abweichungen oder Probleme hat.")
        if not run.blocking_issues:
            del self.fields["override_missing"]


class RunCancelForm(RunConfirmForm):
    reason = forms.CharField(
        label=_("Grund der Stornierung"),
        required=False,  # billing_run_cancel refuses an empty reason
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80, "required": True}),
    )


class AllocationKeyFormSet(forms.BaseInlineFormSet):
    """Keys of one setting: participants of the setting's community, with the figure its method needs."""

    def clean(self):
        super().clean()
        setting = self.instance
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            participant = form.cleaned_data.get("participant")
            if participant is not None and setting.community_id and participant.community_id != setting.community_id:
                form.add_error("participant", _("Diese Person gehört nicht zu der Gemeinschaft des Verfahrens."))
            if setting.method in KEY_METHODS and form.cleaned_data.get("weight") is None:
                form.add_error("weight", _("Für dieses Verfahren braucht jede Person einen Schlüssel."))
            if setting.method == AllocationMethod.PRIORITY and form.cleaned_data.get("rank") is None:
                form.add_error("rank", _("Für das Verfahren mit Prioritäten braucht jede Person einen Rang."))
