"""Agent tokens, the record of every agent call, background jobs the agent started, and idempotent answers."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AgentToken(models.Model):
    """A bearer token for LEA (staff: all utilities) or for one utility's agent. Only a hash of the secret is kept;
    the prefix (the secret's first characters) names it in lists, logs and the revoke command."""

    name = models.CharField(_("Name"), max_length=100)
    prefix = models.CharField(_("Präfix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("Hash"), max_length=64, unique=True)
    scopes = models.JSONField(_("Berechtigungen"), default=list)
    utility = models.ForeignKey(
        "pipeline.Utility",
        verbose_name=_("Netzbetreiber"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agent_tokens",
        help_text=_("Leer: Staff-Token (alle Netzbetreiber, Pipeline möglich)."),
    )
    expires_at = models.DateTimeField(_("gültig bis"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("zuletzt benutzt"), null=True, blank=True)
    daily_budget = models.PositiveIntegerField(_("Aufrufe pro Tag"), default=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erstellt von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("erstellt"), default=timezone.now)

    class Meta:
        verbose_name = _("Agent-Token")
        verbose_name_plural = _("Agent-Tokens")
        ordering = ["name", "prefix"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_staff_token(self) -> bool:
        return self.utility_id is None

    def usable_at(self, moment) -> bool:
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)


class AgentCall(models.Model):
    """One call of one tool, through either door: who, what, with which arguments, how it ended, how long it took."""

    class Transport(models.TextChoices):
        REST = "rest", _("REST")
        MCP = "mcp", _("MCP")

    token = models.ForeignKey(
        AgentToken, verbose_name=_("Token"), on_delete=models.SET_NULL, null=True, related_name="calls"
    )
    tool = models.CharField(_("Werkzeug"), max_length=64, db_index=True)
    transport = models.CharField(_("Weg"), max_length=8, choices=Transport.choices)
    arguments = models.JSONField(_("Argumente"), default=dict)
    status = models.PositiveSmallIntegerField(_("Status"))
    error_code = models.CharField(_("Fehlercode"), max_length=64, blank=True)
    duration_ms = models.PositiveIntegerField(_("Dauer (ms)"))
    touched = models.JSONField(_("betroffene Objekte"), default=list)
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("Agent-Aufruf")
        verbose_name_plural = _("Agent-Aufrufe")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.tool} {self.status}"


class AgentJob(models.Model):
    """Work a tool started in the background (documents, a billing draft): its state and, when done, its result."""

    class State(models.TextChoices):
        PENDING = "pending", _("wartet")
        RUNNING = "running", _("läuft")
        DONE = "done", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token = models.ForeignKey(
        AgentToken, verbose_name=_("Token"), on_delete=models.SET_NULL, null=True, related_name="jobs"
    )
    tool = models.CharField(_("Werkzeug"), max_length=64)
    arguments = models.JSONField(_("Argumente"), default=dict)
    state = models.CharField(_("Zustand"), max_length=8, choices=State.choices, default=State.PENDING)
    result = models.JSONField(_("Ergebnis"), null=True, blank=True)
    error = models.JSONField(_("Fehler"), null=True, blank=True)
    created_at = models.DateTimeField(_("erstellt"), default=timezone.now)
    finished_at = models.DateTimeField(_("beendet"), null=True, blank=True)

    class Meta:
        verbose_name = _("Agent-Auftrag")
        verbose_name_plural = _("Agent-Aufträge")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.tool} {self.id} ({self.state})"


class IdempotentAnswer(models.Model):
    """The first answer to a POST with an ``Idempotency-Key``: a retry with the same key and body gets it again."""

    token = models.ForeignKey(AgentToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotent_answer_unique_key")]

    def __str__(self) -> str:
        return f"{self.key} → {self.status}"


def default_hourly_limit() -> int:
    return settings.B2B_DEFAULT_HOURLY_LIMIT


def default_daily_limit() -> int:
    return settings.B2B_DEFAULT_DAILY_LIMIT


class ApiTier(models.TextChoices):
    """The B2B API's tiers; a utility's subscription plan names one of them (``subscriptions.plans``)."""

    STARTER = "starter", _("Starter")
    PROFESSIONAL = "professional", _("Professional")
    ENTERPRISE = "enterprise", _("Enterprise")


class ApiClient(models.Model):
    """A company that buys the B2B API (``/api/v1/``): its tier, the cantons it may ask about, its limits per key."""

    company = models.CharField(_("Firma"), max_length=200)
    contact_name = models.CharField(_("Kontaktperson"), max_length=200, blank=True)
    contact_email = models.EmailField(_("E-Mail der Kontaktperson"), blank=True)
    tier = models.CharField(_("Stufe"), max_length=20, choices=ApiTier.choices, default=ApiTier.STARTER)
    allowed_cantons = models.JSONField(
        _("erlaubte Kantone"), default=list, blank=True, help_text=_("Kantonskürzel; leer: alle Kantone.")
    )
    hourly_limit = models.PositiveIntegerField(_("Aufrufe pro Stunde und Schlüssel"), default=default_hourly_limit)
    daily_limit = models.PositiveIntegerField(_("Aufrufe pro Tag und Schlüssel"), default=default_daily_limit)
    active = models.BooleanField(_("aktiv"), default=True)
    utility = models.ForeignKey(
        "pipeline.Utility", verbose_name=_("Netzbetreiber"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="api_clients",
        help_text=_("Ein Netzbetreiber mit Abonnement erhält die Stufe seines Plans."),
    )
    endpoints = models.JSONField(
        _("Endpunkte (Enterprise)"), default=list, blank=True,
        help_text=_("Nur für die Stufe Enterprise: die freigegebenen Endpunkte; leer: alle."),
    )
    created_at = models.DateTimeField(_("erstellt"), default=timezone.now)

    class Meta:
        verbose_name = _("API-Kunde")
        verbose_name_plural = _("API-Kunden")
        ordering = ["company", "pk"]

    def __str__(self) -> str:
        return self.company


class ApiKey(models.Model):
    """A key of an API client: only the SHA-256 of the secret is kept; the prefix names it in lists and commands."""

    client = models.ForeignKey(ApiClient, verbose_name=_("API-Kunde"), on_delete=models.CASCADE, related_name="keys")
    name = models.CharField(_("Bezeichnung"), max_length=100)
    prefix = models.CharField(_("Präfix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("Hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("erstellt"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("erstellt von"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("zuletzt benutzt"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-Schlüssel")
        verbose_name_plural = _("API-Schlüssel")
        ordering = ["client", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiUsage(models.Model):
    """Calls of one client to one endpoint on one Europe/Zurich day: answered ones and denied ones (tier, canton,
    limit). Counted by an upsert, never read-modify-write; kept for invoicing."""

    client = models.ForeignKey(ApiClient, verbose_name=_("API-Kunde"), on_delete=models.CASCADE, related_name="usage")
    endpoint = models.CharField(_("Endpunkt"), max_length=64)
    day = models.DateField(_("Tag"))
    calls = models.PositiveIntegerField(_("Aufrufe"), default=0)
    denied = models.PositiveIntegerField(_("abgewiesen"), default=0)

    class Meta:
        verbose_name = _("API-Nutzung")
        verbose_name_plural = _("API-Nutzung")
        ordering = ["-day", "endpoint"]
        constraints = [
            models.UniqueConstraint(fields=["client", "endpoint", "day"], name="api_usage_one_row_per_client_day")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.endpoint} {self.day}: {self.calls}/{self.denied}"
