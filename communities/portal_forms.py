"""Forms of the utility portal's formation pages. They collect input and show the model's rules at the field;
what may be written is decided by the services (``communities.services``), the same for every door."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from communities.models import Community, MeteringPoint, Participant, Tariff

_DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _DatesAsPickers:
    """Date fields as the browser's date picker, values in ISO so that the picker reads them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = _DAY


class CommunityForm(_DatesAsPickers, forms.ModelForm):
    """What a LEG desk sets on a community. The utility is the user's, never a field; the status moves only
    through the formation workflow."""

    class Meta:
        model = Community
        fields = [
            "name",
            "municipality",
            "grid_level",
            "reduction_percent",
            "start_date",
            "registered_on",
            "notice_months",
            "representative",
            "vnb_reference",
            "vat_number",
            "iban",
            "account_iban",
            "credit_handling",
            "reminder_fee_chf",
            "email_sender_name",
            "reply_to_email",
            "street",
            "house_number",
            "postcode",
            "town",
            "country",
        ]

    groups = [
        (_("Gemeinschaft"), ["name", "municipality", "grid_level", "reduction_percent", "vnb_reference"]),
        (_("Gründung"), ["start_date", "registered_on", "notice_months", "representative"]),
        (
            _("Rechnungen, Zahlungen und Versand"),
            [
                "vat_number",
                "iban",
                "account_iban",
                "credit_handling",
                "reminder_fee_chf",
                "email_sender_name",
                "reply_to_email",
            ],
        ),
        (_("Adresse"), ["street", "house_number", "postcode", "town", "country"]),
    ]

    def __init__(self, *args, utility, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.utility = utility
        self.fields["municipality"].queryset = utility.municipalities.order_by("name")
        if self.instance.pk is None:
            del self.fields["representative"]  # nobody takes part yet
        else:
            self.fields["representative"].queryset = self.instance.participants.filter(member_to__isnull=True)

    def grouped(self) -> list[tuple[str, list]]:
        """The fields in the admin's groups, for one fieldset each."""
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in self.groups]


class ParticipantForm(_DatesAsPickers, forms.ModelForm):
    """A participant's data; leaving goes through its own form (``participant_leave``)."""

    class Meta:
        model = Participant
        fields = [
            "kind",
            "first_name",
            "last_name",
            "company_name",
            "role",
            "customer_number",
            "member_from",
            "email",
            "phone",
            "street",
            "house_number",
            "postcode",
            "town",
            "country",
            "iban",
            "account_holder",
        ]

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community


class MeteringPointForm(forms.ModelForm):
    """A metering point's technical data, for a new point of the user's grid."""

    class Meta:
        model = MeteringPoint
        fields = [
            "mp_id",
            "connection_capacity_kw",
            "installed_capacity_kwp",
            "transformer_circuit",
            "grid_level",
            "has_smart_meter",
            "site",
            "municipality",
        ]

    def __init__(self, *args, utility, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.utility = utility
        self.fields["municipality"].queryset = utility.municipalities.order_by("name")


class MeteringPointEditForm(MeteringPointForm):
    """A point's technical data; its id stays as the grid knows it."""

    class Meta(MeteringPointForm.Meta):
        fields = [name for name in MeteringPointForm.Meta.fields if name != "mp_id"]


class PointJoinForm(_DatesAsPickers, MeteringPointForm):
    """A metering point put into the community from a day: an existing point of the grid by its id, or a new one."""

    valid_from = forms.DateField(label=_("in der Gemeinschaft ab"))

    def __init__(self, *args, community, known_points, **kwargs):
        super().__init__(*args, utility=community.utility, **kwargs)
        self.fields["municipality"].initial = community.municipality_id  # the same municipality is a rule
        self.known_points = known_points
        self.existing = None
        self.fields["connection_capacity_kw"].required = False
        self.fields["mp_id"].help_text = _(
            "Ist der Messpunkt schon erfasst (z. B. bei einem Wechsel der Mieterschaft), genügt seine ID."
        )

    def clean_mp_id(self):
        mp_id = self.cleaned_data["mp_id"].strip().upper()
        self.existing = self.known_points.filter(mp_id=mp_id).first()
        return mp_id

    def clean(self):
        cleaned = super().clean()
        if self.existing is None and cleaned.get("connection_capacity_kw") is None and "mp_id" in cleaned:
            self.add_error("connection_capacity_kw", _("Bitte die Anschlussleistung angeben."))
        return cleaned

    def validate_unique(self):
        if self.existing is None:  # an existing point of the grid is used, not created again
            super().validate_unique()

    def _post_clean(self):
        if self.existing is None:
            super()._post_clean()

    def point_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in MeteringPointForm.Meta.fields}


class TariffForm(_DatesAsPickers, forms.ModelForm):
    """A new tariff version's internal prices; an open predecessor ends the day before (``tariff_create``)."""

    class Meta:
        model = Tariff
        fields = ["valid_from", "consumer_price_rp_kwh", "producer_price_rp_kwh"]

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        self.fields["valid_from"].initial = community.start_date

    def validate_unique(self):
        pass  # the version number is the service's to give

    def _post_clean(self):
        pass  # tariff_create checks the new version against the others after ending the open one


class MembershipEndForm(_DatesAsPickers, forms.Form):
    valid_to = forms.DateField(label=_("letzter Tag in der Gemeinschaft"))


class ParticipantLeaveForm(_DatesAsPickers, forms.Form):
    member_to = forms.DateField(
        label=_("Austritt per"),
        help_text=_("Letzter Tag der Mitgliedschaft; alle Messpunkte verlassen die Gemeinschaft mit."),
    )


def show_validation_error(form: forms.BaseForm, error: ValidationError, *, renamed: dict | None = None) -> None:
    """Put a service's ValidationError on the form: at its field where the form has it, else above the form."""
    renamed = renamed or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = renamed.get(name, name)
        form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)
