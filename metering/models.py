"""Interval data storage: one row per metering point, direction, channel and UTC day.

A row holds the day's 96 quarter-hour values as little-endian int64 milliwatt-hours, one
quality byte per slot (``metering.parsers.base.Quality``; 0 = not delivered) and per slot the
``MeterImport`` it came from (little-endian int64, 0 = not delivered). A UTC day always
has 96 quarter-hours, so DST never changes the row shape. mWh keep every delivered digit
(kW × 0.25 h gives fractions of a Wh); billing rounds to Wh when it loads.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.models import Door, MeteringPoint
from openleg.choice_labels import ChoiceLabelsMixin
from openleg.protected_files import unguessable_path


class Direction(models.TextChoices):
    CONSUMPTION = "consumption", _("Bezug")
    PRODUCTION = "production", _("Einspeisung")


class Channel(models.TextChoices):
    TOTAL = "total", _("Total")
    LEG = "leg", _("LEG-Anteil")
    GRID = "grid", _("Netz-Anteil")


def series_label(direction: str, channel: str) -> str:
    """A series as people name it ("Bezug Total"), for every page and message that names one."""
    directions, channels = dict(Direction.choices), dict(Channel.choices)
    return f"{directions.get(direction, direction)} {channels.get(channel, channel)}"


def labelled(summaries: list[dict]) -> list[dict]:
    """Series summaries (``SeriesPlan.summary``, as stored on the import) with the series' German name."""
    return [{**summary, "label": series_label(summary["direction"], summary["channel"])} for summary in summaries]


def _import_upload_path(instance: "MeterImport", filename: str) -> str:
    return unguessable_path(f"meter-imports/{instance.created_at:%Y/%m}", filename)


class MeterFormat(models.TextChoices):
    """The formats the detector names (``metering.parsers``), as a clerk knows them."""

    SDAT_E66 = "sdat-e66", _("SDAT-CH E66 (Messwerte)")
    SDAT_E31 = "sdat-e31", _("SDAT-CH E31 (Summenzeitreihen)")
    EKZ = "ekz", _("EKZ-Export")
    EWZ = "ewz", _("ewz-Export")
    CKW = "ckw", _("CKW-Export")
    BKW = "bkw", _("BKW-Export")
    IWB = "iwb", _("IWB-Export")
    AEW = "aew", _("AEW-Export")
    GENERIC = "generic", _("CSV mit gespeicherter Zuordnung")
    UNKNOWN = "unknown", _("unbekanntes Format")


class MeterImport(ChoiceLabelsMixin, models.Model):
    """One delivered file: kept as it came, with what it changed, who brought it and how."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Vorschau")
        APPLIED = "applied", _("übernommen")
        # Every delivered value lost to a newer (or, equally new, measured) stored delivery: nothing applied.
        SUPERSEDED = "superseded", _("überholt")
        UNCHANGED = "unchanged", _("bereits importiert")
        REJECTED = "rejected", _("abgelehnt")

    class RunState(models.TextChoices):
        """Where applying a staged file stands; a person's page refreshes itself while it waits or runs."""

        NONE = "", _("nicht gestartet")
        QUEUED = "queued", _("wartet")
        RUNNING = "running", _("läuft")
        DONE = "done", _("abgeschlossen")
        FAILED = "failed", _("fehlgeschlagen")

    created_at = models.DateTimeField(_("erstellt am"), db_index=True)
    applied_at = models.DateTimeField(_("übernommen am"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("durch"),
    )
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)
    utility = models.ForeignKey(
        "pipeline.Utility",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meter_imports",
        verbose_name=_("Netzbetreiber"),
    )
    filename = models.CharField(_("Dateiname"), max_length=255)
    file = models.FileField(_("Originaldatei"), upload_to=_import_upload_path, max_length=400)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("Grösse (Bytes)"))
    format = models.CharField(_("Format"), max_length=16, blank=True, choices=MeterFormat.choices)
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices)
    run_state = models.CharField(_("Übernahme"), max_length=8, choices=RunState.choices, blank=True, default="")
    # When the document was made: SDAT InstanceDocument/Creation, else when the file came (created_at). Per slot
    # the newer document wins, whatever order the files arrive in.
    document_created_at = models.DateTimeField(_("Dokument erstellt am"), null=True, blank=True)
    document_id = models.CharField(_("Dokument-ID"), max_length=100, blank=True)
    metering_point_hint = models.CharField(_("Messpunkt (für Formate ohne Messpunkt)"), max_length=33, blank=True)
    series = models.JSONField(_("Reihen"), default=list, blank=True)
    problems = models.JSONField(_("Fehler"), default=list, blank=True)
    warnings = models.JSONField(_("Hinweise"), default=list, blank=True)
    slots_new = models.PositiveIntegerField(_("neue Werte"), default=0)
    slots_changed = models.PositiveIntegerField(_("geänderte Werte"), default=0)
    slots_unchanged = models.PositiveIntegerField(_("unveränderte Werte"), default=0)
    slots_superseded = models.PositiveIntegerField(_("überholte Werte"), default=0)

    class Meta:
        verbose_name = _("Messdaten-Import")
        verbose_name_plural = _("Messdaten-Importe")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same file is applied at most once: a second delivery of it changes nothing. A superseded file
            # stays superseded (stored documents only get newer), so it counts as taken in as well.
            models.UniqueConstraint(
                fields=["sha256"],
                condition=models.Q(status__in=["applied", "superseded"]),
                name="meter_import_file_applied_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @staticmethod
    def hash_of(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class SlotRow(models.Model):
    """One UTC day of one series: 96 int64 mWh values, 96 quality bytes and 96 int64 source import ids."""

    direction = models.CharField(_("Richtung"), max_length=12, choices=Direction.choices)
    channel = models.CharField(_("Kanal"), max_length=8, choices=Channel.choices)
    day = models.DateField(_("Tag (UTC)"))
    values = models.BinaryField(_("Werte (mWh)"))
    quality = models.BinaryField(_("Qualität"))
    sources = models.BinaryField(_("Herkunft je Viertelstunde (Import)"))
    # No index of its own: imports are never deleted, and the index would slow every import.
    last_import = models.ForeignKey(
        MeterImport,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("zuletzt geändert durch"),  # the import that last changed anything in the row
        db_index=False,
    )
    updated_at = models.DateTimeField(_("geändert am"))

    class Meta:
        abstract = True


class DaySeries(SlotRow):
    # The unique (metering point, direction, channel, day) index serves every lookup, including by point.
    metering_point = models.ForeignKey(
        "communities.MeteringPoint",
        on_delete=models.PROTECT,
        related_name="day_series",
        verbose_name=_("Messpunkt"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("Tagesreihe")
        verbose_name_plural = _("Tagesreihen")
        constraints = [
            models.UniqueConstraint(
                fields=["metering_point", "direction", "channel", "day"], name="day_series_unique_slot_row"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metering_point_id} {series_label(self.direction, self.channel)} {self.day:%d.%m.%Y}"


class AggregateDaySeries(SlotRow):
    """Community totals from SDAT E31 deliveries, kept to cross-check the allocation."""

    community_ref = models.CharField(_("LEG-Kennung des VNB"), max_length=64)
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="aggregates",
        verbose_name=_("Gemeinschaft"),
    )

    class Meta:
        verbose_name = _("Summenreihe (E31)")
        verbose_name_plural = _("Summenreihen (E31)")
        constraints = [
            models.UniqueConstraint(
                fields=["community_ref", "direction", "channel", "day"], name="aggregate_series_unique_row"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_ref} {series_label(self.direction, self.channel)} {self.day:%d.%m.%Y}"


class CsvMapping(models.Model):
    """A confirmed column mapping for a CSV layout we have no dedicated parser for, per utility.

    ``signature`` identifies the layout (its header row); ``mapping`` is
    ``metering.parsers.generic.GenericMapping.to_dict()``.
    """

    utility = models.ForeignKey(
        "pipeline.Utility", on_delete=models.CASCADE, related_name="csv_mappings", verbose_name=_("Netzbetreiber")
    )
    name = models.CharField(_("Bezeichnung"), max_length=100)
    signature = models.CharField(_("Kopfzeile"), max_length=500)
    mapping = models.JSONField(_("Zuordnung"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bestätigt durch"),
    )
    confirmed_at = models.DateTimeField(_("bestätigt am"))

    class Meta:
        verbose_name = _("CSV-Zuordnung")
        verbose_name_plural = _("CSV-Zuordnungen")
        constraints = [models.UniqueConstraint(fields=["utility", "signature"], name="csv_mapping_unique_layout")]

    def __str__(self) -> str:
        return f"{self.utility}: {self.name}"


class MeteringPointData(MeteringPoint):
    """The admin's view of a metering point's stored data (profile and coverage); no table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("Messpunkt-Daten")
        verbose_name_plural = _("Messpunkt-Daten")


class PlausibilityNote(models.Model):
    """Delivered values that look wrong, per metering point, direction, channel, local day and kind: a note, not
    a rejection. Billing lists the notes of the imports that still supply values of that day."""

    class Kind(models.TextChoices):
        CAPACITY = "capacity", _("über der Anschlussleistung")
        NIGHT = "night", _("Einspeisung bei Nacht")
        SPIKE = "spike", _("Vielfaches des üblichen Werts")

    meter_import = models.ForeignKey(
        MeterImport, on_delete=models.CASCADE, related_name="plausibility_notes", verbose_name=_("Import")
    )
    metering_point = models.ForeignKey(
        "communities.MeteringPoint",
        on_delete=models.PROTECT,
        related_name="plausibility_notes",
        verbose_name=_("Messpunkt"),
        db_index=False,  # the index below starts with it
    )
    direction = models.CharField(_("Richtung"), max_length=12, choices=Direction.choices)
    channel = models.CharField(_("Kanal"), max_length=8, choices=Channel.choices)
    day = models.DateField(_("Tag (Ortszeit)"))
    kind = models.CharField(_("Art"), max_length=12, choices=Kind.choices)
    count = models.PositiveIntegerField(_("Viertelstunden"))
    largest_mwh = models.BigIntegerField(_("höchster Wert (mWh)"))
    limit_mwh = models.BigIntegerField(_("Grenze (mWh)"))

    class Meta:
        verbose_name = _("Plausibilitätshinweis")
        verbose_name_plural = _("Plausibilitätshinweise")
        ordering = ["metering_point", "day", "direction", "kind"]
        indexes = [models.Index(fields=["metering_point", "day"], name="plausibility_note_point_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["meter_import", "metering_point", "direction", "channel", "day", "kind"],
                name="plausibility_note_unique",
            ),
            models.CheckConstraint(condition=models.Q(count__gt=0), name="plausibility_note_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.metering_point_id} {self.day} {self.kind}"
