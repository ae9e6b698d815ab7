"""Staff console for communities. Saves go through the audited service path, door "admin"."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from communities.audit_display import change_rows, model_name
from communities.formation_admin import FormationAdminMixin, FormationStepInline
from communities.models import (
    AuditEntry,
    Community,
    Door,
    Membership,
    MeteringPoint,
    Participant,
    Tariff,
    TariffFee,
    TariffWindow,
)
from communities.services import audited_delete, audited_save
from communities.weekdays import WeekdaysField
from openleg.admin_display import short_column
from openleg.admin_mixins import CarriedDecimalsMixin, ReadOnlyAdminMixin, formatted_field, price_display
from openleg.formats import format_kw, format_price


class AuditedAdminMixin:
    """Route every admin write (object and inline rows) through ``audited_save``/``audited_delete``."""

    def save_model(self, request, obj, form, change):
        audited_save(instance=obj, actor=request.user, door=Door.ADMIN)

    def delete_model(self, request, obj):
        audited_delete(instance=obj, actor=request.user, door=Door.ADMIN)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audited_delete(instance=obj, actor=request.user, door=Door.ADMIN)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audited_delete(instance=obj, actor=request.user, door=Door.ADMIN)
        for obj in instances:
            audited_save(instance=obj, actor=request.user, door=Door.ADMIN)
        formset.save_m2m()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["metering_point"]


@admin.register(Participant)
class ParticipantAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["display_name", "customer_number", "community", "role", "member_from", "member_to"]
    list_filter = ["role", "kind", "community__utility", "community"]
    list_select_related = ["community"]
    search_fields = ["last_name", "first_name", "company_name", "customer_number", "email"]
    inlines = [MembershipInline]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    fields = ["customer_number", "kind", "first_name", "last_name", "company_name", "role", "member_from", "member_to"]
    show_change_link = True


@admin.register(Community)
class CommunityAdmin(FormationAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "utility", "municipality", "status", "start_date", "reduction_percent"]
    list_filter = ["status", "reduction_percent", "utility"]
    list_select_related = ["utility", "municipality"]
    search_fields = ["name", "utility__name", "municipality__name"]
    autocomplete_fields = ["municipality"]
    raw_id_fields = ["representative"]
    inlines = [ParticipantInline, FormationStepInline]
    # The status moves only through the formation workflow (its own page), never by editing.
    readonly_fields = ["status", "formation_link"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "utility", "municipality", "status", "formation_link"]}),
        (_("Gründung"), {"fields": ["start_date", "registered_on", "notice_months"]}),
        (_("Netz"), {"fields": ["grid_level", "reduction_percent", "vnb_reference"]}),
        (_("Rechnungsstellerin"), {"fields": ["representative", "vat_number"]}),
        (
            _("Zahlungen und Versand"),
            {
                "fields": [
                    "iban",
                    "account_iban",
                    "credit_handling",
                    "reminder_fee_chf",
                    "email_sender_name",
                    "reply_to_email",
                ]
            },
        ),
        (_("Adresse"), {"fields": ["street", "house_number", "postcode", "town", "country"]}),
    ]


@admin.register(MeteringPoint)
class MeteringPointAdmin(AuditedAdminMixin, CarriedDecimalsMixin, admin.ModelAdmin):
    list_display = [
        short_column("mp_id", _("Messpunkt-ID"), kind="id"),
        "utility",
        formatted_field(MeteringPoint, "connection_capacity_kw", format_kw),
        formatted_field(MeteringPoint, "installed_capacity_kwp", format_kw),
        "transformer_circuit",
        "has_smart_meter",
    ]
    list_filter = ["utility", "has_smart_meter", "grid_level"]
    list_select_related = ["utility"]
    autocomplete_fields = ["municipality"]
    search_fields = ["mp_id", "site", "transformer_circuit"]
    inlines = [MembershipInline]
    readonly_fields = ["meter_data"]

    @admin.display(description=_("Messdaten"))
    def meter_data(self, obj):
        if obj.pk is None:
            return "–"
        # By URL name only: the metering app builds on communities, not the other way round.
        url = reverse("admin:metering_meteringpointdata_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Tagesprofil und Abdeckung ansehen"))


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        short_column("metering_point__mp_id", _("Messpunkt"), kind="id"),
        "participant",
        "community",
        "valid_from",
        "valid_to",
    ]
    list_select_related = ["metering_point", "participant__community"]
    list_filter = ["participant__community"]
    search_fields = ["metering_point__mp_id", "participant__last_name", "participant__company_name"]
    autocomplete_fields = ["metering_point", "participant"]

    @admin.display(description=_("Gemeinschaft"))
    def community(self, obj):
        return obj.participant.community


class UsedTariffFieldsMixin:
    """Once a tariff has been billed it is a record: its page (and its windows' and fees' rows) show ``used_fields``,
    all read-only but ``editable_when_used``. ``obj`` is the tariff for the tariff's admin and for its inlines."""

    used_fields: tuple = ()
    editable_when_used: tuple = ()

    def get_fields(self, request, obj=None):
        return list(self.used_fields) if _used(obj) else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if _used(obj):
            return [field for field in self.used_fields if field not in self.editable_when_used]
        return super().get_readonly_fields(request, obj)


class UsedTariffPartInline(UsedTariffFieldsMixin, CarriedDecimalsMixin, admin.TabularInline):
    """A tariff's windows or fees: editable while the tariff is unused, shown read-only once it has been billed."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _used(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _used(obj)


def _used(tariff) -> bool:
    return tariff is not None and tariff.is_used


@admin.display(description=_("Wochentage"))
def _weekdays_in_words(window: TariffWindow) -> str:
    return window.weekdays_in_words


class TariffWindowInline(UsedTariffPartInline):
    model = TariffWindow
    used_fields = (
        "label",
        _weekdays_in_words,
        "start_time",
        "end_time",
        price_display(TariffWindow, "consumer_price_rp_kwh"),
        price_display(TariffWindow, "producer_price_rp_kwh"),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "weekdays":
            return db_field.formfield(form_class=WeekdaysField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class TariffFeeInline(UsedTariffPartInline):
    model = TariffFee
    used_fields = ("label", "amount_chf", "basis")


@admin.register(Tariff)
class TariffAdmin(UsedTariffFieldsMixin, AuditedAdminMixin, CarriedDecimalsMixin, admin.ModelAdmin):
    list_display = [
        "community",
        "version",
        "valid_from",
        "valid_to",
        formatted_field(Tariff, "consumer_price_rp_kwh", format_price),
        formatted_field(Tariff, "producer_price_rp_kwh", format_price),
        "used_at",
    ]
    list_filter = ["community"]
    list_select_related = ["community"]
    inlines = [TariffWindowInline, TariffFeeInline]
    readonly_fields = ["used_at"]

    # only a used tariff's end may still be set, to hand over to a new version
    editable_when_used = ("valid_to",)
    used_fields = (
        "community",
        "version",
        "valid_from",
        "valid_to",
        price_display(Tariff, "consumer_price_rp_kwh"),
        price_display(Tariff, "producer_price_rp_kwh"),
        "used_at",
    )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_used)



class ObjectKindFilter(admin.SimpleListFilter):
    """The kinds of object in the trail, by their German names."""

    title = _("Objektart")
    parameter_name = "model"

    def lookups(self, request, model_admin):
        labels = AuditEntry.objects.order_by().values_list("model", flat=True).distinct()
        return sorted(((label, model_name(label)) for label in labels), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(model=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "door", "action", "object_kind", "object_repr", "community"]
    list_filter = ["door", "action", ObjectKindFilter, "community"]
    list_select_related = ["actor", "community"]
    search_fields = ["object_repr", "object_pk"]
    date_hierarchy = "at"
    fields = ["at", "actor", "door", "action", "object_kind", "object_pk", "object_repr", "community", "change_table"]
    readonly_fields = fields

    @admin.display(description=_("Objektart"), ordering="model")
    def object_kind(self, obj: AuditEntry) -> str:
        return model_name(obj.model)

    @admin.display(description=_("Änderungen"))
    def change_table(self, obj: AuditEntry) -> str:
        return render_to_string("admin/communities/auditentry/changes.html", {"rows": change_rows(obj)})
