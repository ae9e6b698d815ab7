from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openleg.addresses import StructuredAddress
from pipeline.cantons import Canton

vnb_number_validator = RegexValidator(
    r"^\d{6}$", _("Die VNB-Nummer hat sechs Ziffern, wie in den Messpunkt-IDs nach «CH».")
)
eic_validator = RegexValidator(
    r"^\d{2}[XYZTWV][0-9A-Z-]{12}[0-9A-Z]$", _("Ein EIC-Code hat 16 Zeichen, z. B. 12X-0000001216-O.")
)


class Door(models.TextChoices):
    """Through what a pipeline change came; the values match ``communities.models.Door`` plus the subscription."""

    ADMIN = "admin", _("Administration")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    COMMAND = "command", _("Befehl")
    TASK = "task", _("Hintergrundaufgabe")
    IMPORT = "import", _("Import")
    AGENT = "agent", _("KI-Agent")
    SUBSCRIPTION = "subscription", _("Abonnement")


class OutreachTemplate(models.TextChoices):
    """The texts a draft can be made from (``templates/pipeline/outreach/<value>_*.txt``)."""

    FIRST_CONTACT = "first_contact", _("Erstkontakt")


class Stage(models.TextChoices):
    LEAD = "lead", _("Lead")
    CONTACTED = "contacted", _("kontaktiert")
    DEMO = "demo", _("Demo")
    TRIAL = "trial", _("Testphase")
    PAID = "paid", _("zahlend")
    CHURNED = "churned", _("gekündigt")
    LOST = "lost", _("verloren")


class Municipality(models.Model):
    """A Swiss municipality, keyed by its BFS number (Gemeindenummer des Bundesamts für Statistik)."""

    bfs_number = models.PositiveIntegerField(_("BFS-Nummer"), unique=True)
    name = models.CharField(_("Name"), max_length=100)
    canton = models.CharField(_("Kanton"), max_length=2, choices=Canton.choices)
    # Market data (import_market_data): what the score and the outreach drafts may cite.
    population = models.PositiveIntegerField(_("Einwohner"), null=True, blank=True)
    installed_pv_kwp = models.DecimalField(
        _("installierte Photovoltaik (kWp)"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    roof_potential_mwh = models.DecimalField(
        _("Solarpotenzial Dächer (MWh/Jahr)"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    market_data_source = models.CharField(_("Quelle der Marktdaten"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Gemeinde")
        verbose_name_plural = _("Gemeinden")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(bfs_number__gte=1, bfs_number__lte=9999), name="municipality_bfs_range")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.canton}, {self.bfs_number})"


class Utility(StructuredAddress):
    """A distribution utility (VNB): the same record while a prospect and once a customer."""

    name = models.CharField(_("Name"), max_length=200)
    short_name = models.CharField(_("Kurzname"), max_length=40, unique=True)
    canton = models.CharField(_("Kanton"), max_length=2, choices=Canton.choices)
    municipalities = models.ManyToManyField(
        Municipality, related_name="utilities", blank=True, verbose_name=_("versorgte Gemeinden")
    )
    vnb_number = models.CharField(
        _("VNB-Nummer"),
        max_length=6,
        unique=True,
        null=True,
        blank=True,
        validators=[vnb_number_validator],
        help_text=_("Die sechs Ziffern nach «CH» in den Messpunkt-IDs dieses Netzbetreibers."),
    )
    eic = models.CharField(_("EIC-Code"), max_length=16, blank=True, validators=[eic_validator])
    contact_name = models.CharField(_("Kontaktperson"), max_length=120, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    website = models.URLField(_("Website"), blank=True)
    grid_usage_rp_kwh = models.DecimalField(
        _("Netznutzungstarif Arbeitspreis (Rp./kWh)"),
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Die Komponente, auf die der LEG-Abschlag gewährt wird; für die geschätzte Einsparung."),
    )
    is_demo = models.BooleanField(_("Demodaten"), default=False)
    created_at = models.DateTimeField(_("erfasst am"), auto_now_add=True)

    # -- the sales pipeline (issue 6): the same record while a prospect and once a customer ------------------
    stage = models.CharField(_("Phase"), max_length=16, choices=Stage.choices, default=Stage.LEAD, db_index=True)
    stage_changed_at = models.DateTimeField(_("Phase seit"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_utilities",
        limit_choices_to={"is_staff": True},
        verbose_name=_("zuständig"),
    )
    next_action = models.CharField(_("nächster Schritt"), max_length=200, blank=True)
    next_action_due = models.DateField(_("fällig am"), null=True, blank=True, db_index=True)
    notes = models.TextField(_("Notizen"), blank=True)
    last_contact_at = models.DateTimeField(_("letzter Kontakt"), null=True, blank=True)
    smart_meter_share = models.DecimalField(
        _("Anteil intelligente Messsysteme"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("0 bis 1, z. B. 0.65 für 65 % ausgerollt."),
    )
    competitor = models.CharField(
        _("bekannte LEG-Lösung"),
        max_length=120,
        blank=True,
        help_text=_("Plattform oder eigenes Angebot, das der VNB für LEG bereits nutzt; leer, wenn keines bekannt."),
    )
    score = models.PositiveSmallIntegerField(_("Score"), null=True, blank=True, db_index=True)
    score_breakdown = models.JSONField(_("Score im Detail"), default=dict, blank=True)
    scored_at = models.DateTimeField(_("bewertet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Netzbetreiber")
        verbose_name_plural = _("Netzbetreiber")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vnb_number__regex=r"^[0-9]{6}$") | Q(vnb_number__isnull=True),
                name="utility_vnb_number_six_digits",
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="utility_score_0_to_100"),
            models.CheckConstraint(
                condition=Q(smart_meter_share__gte=0, smart_meter_share__lte=1) | Q(smart_meter_share__isnull=True),
                name="utility_smart_meter_share_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PipelineEvent(models.Model):
    """The history of a utility in the pipeline: every stage change and every contact, who, when, which door."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("Phasenwechsel")
        CONTACT = "contact", _("Kontakt")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-Mail")
        PHONE = "phone", _("Telefon")
        MEETING = "meeting", _("Treffen")
        EVENT = "event", _("Anlass")
        OTHER = "other", _("anderes")

    utility = models.ForeignKey(
        Utility, on_delete=models.CASCADE, related_name="pipeline_events", verbose_name=_("Netzbetreiber")
    )
    kind = models.CharField(_("Art"), max_length=8, choices=Kind.choices)
    at = models.DateTimeField(_("Zeitpunkt"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("durch"),
    )
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)
    from_stage = models.CharField(_("von"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("nach"), max_length=16, choices=Stage.choices, blank=True)
    channel = models.CharField(_("Kanal"), max_length=8, choices=Channel.choices, blank=True)
    summary = models.TextField(_("Notiz"), blank=True)

    class Meta:
        verbose_name = _("Pipeline-Ereignis")
        verbose_name_plural = _("Pipeline-Verlauf")
        ordering = ["utility", "-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="stage") & ~Q(to_stage="")) | (Q(kind="contact") & ~Q(channel="")),
                name="pipeline_event_complete",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.STAGE:
            return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"
        return f"{self.get_channel_display()}: {self.summary[:60]}"


class OutreachDraft(models.Model):
    """A German outreach text for a person to review and send: OpenLEG never sends it by itself."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        SENT = "sent", _("von Hand versandt")
        DISCARDED = "discarded", _("verworfen")

    utility = models.ForeignKey(
        Utility, on_delete=models.CASCADE, related_name="outreach_drafts", verbose_name=_("Netzbetreiber")
    )
    template = models.CharField(_("Vorlage"), max_length=40, choices=OutreachTemplate.choices)
    subject = models.CharField(_("Betreff"), max_length=200)
    body = models.TextField(_("Text"))
    facts = models.JSONField(_("verwendete Fakten"), default=dict, help_text=_("Nur was die Datenbank hält."))
    status = models.CharField(_("Status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erstellt durch"),
    )
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)
    revision_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("überarbeitet aus"),
        help_text=_("Der Entwurf, dessen Text hier überarbeitet wurde; er bleibt unverändert."),
    )
    written_by_agent = models.BooleanField(
        _("vom KI-Agenten geschrieben"),
        default=False,
        help_text=_("Der Text stammt vom KI-Agenten, nicht aus der Vorlage."),
    )

    class Meta:
        verbose_name = _("Entwurf Kontaktaufnahme")
        verbose_name_plural = _("Entwürfe Kontaktaufnahme")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.utility}: {self.subject}"


class PipelineBriefing(models.Model):
    """The daily review: what changed, what is due, the top leads; stored for staff and the agent to read."""

    day = models.DateField(_("Tag"), unique=True)
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)
    text = models.TextField(_("Zusammenfassung"))
    figures = models.JSONField(_("Zahlen"), default=dict)

    class Meta:
        verbose_name = _("Tagesbriefing Pipeline")
        verbose_name_plural = _("Tagesbriefings Pipeline")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Briefing {self.day:%d.%m.%Y}"
