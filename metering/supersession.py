"""Which delivery of a slot wins: the time of each document, and what to say when a delivery loses.

Per slot the newer document wins (``metering.daybuckets.merge_days``); a document is timed by its SDAT
``InstanceDocument/Creation``, or by its arrival where the format states none (CSV exports).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from metering.messages import Finding
from metering.models import MeterImport
from openleg.formats import format_moment

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNKNOWN_TIME = np.iinfo(np.int64).min  # a source that is not recorded loses to any delivery


def micros(moment: datetime) -> int:
    """Microseconds since the epoch: the unit the merge compares document times in."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True)
class Delivery:
    """One file as a document: its name, the id it states (SDAT) and when it was made (or arrived)."""

    filename: str
    document_id: str
    created_at: datetime  # aware UTC
    stated: bool  # the document states its creation; otherwise created_at is its arrival

    @classmethod
    def of(cls, filename: str, meta: Mapping[str, str], received_at: datetime) -> "Delivery":
        stated = meta.get("created_utc")
        created = datetime.fromisoformat(stated) if stated else received_at.astimezone(UTC)
        return cls(filename, meta.get("document_id", ""), created, bool(stated))

    def label(self) -> str:
        return document_label(self.filename, self.document_id, self.created_at, self.stated)


def document_label(filename: str, document_id: str, created_at: datetime, stated: bool = True) -> str:
    """«A.xml» (Dokument X, erstellt 03.07.2026 10:00): the time in Europe/Zurich."""
    shown = format_moment(created_at)
    if document_id:
        return _("«%(file)s» (Dokument %(document)s, erstellt %(created)s)") % {
            "file": filename,
            "document": document_id,
            "created": shown,
        }
    if stated:
        return _("«%(file)s» (erstellt %(created)s)") % {"file": filename, "created": shown}
    return _("«%(file)s» (eingegangen %(created)s)") % {"file": filename, "created": shown}


def document_times(sources: np.ndarray) -> np.ndarray:
    """The document time (microseconds) of each slot's source import, in the shape of ``sources``."""
    ids, inverse = np.unique(sources, return_inverse=True)
    known = dict(
        MeterImport.objects.filter(pk__in=[int(pk) for pk in ids if pk])
        .annotate(document_time=Coalesce("document_created_at", "created_at"))
        .values_list("pk", "document_time")
    )
    times = np.array([micros(known[pk]) if pk in known else _UNKNOWN_TIME for pk in ids.tolist()], np.int64)
    return times[inverse].reshape(sources.shape)


def supersession_warnings(delivery: Delivery, lost_sources: np.ndarray, lost_times: np.ndarray) -> list[Finding]:
    """One warning per reason the delivered values lost: newer stored documents, or equally new measured ones.

    Each names the delivery and the newest stored document that beat it (and how many more there are).
    """
    delivered = micros(delivery.created_at)
    findings = []
    for code, lost in (
        ("superseded_older", lost_times > delivered),
        ("superseded_measured", lost_times == delivered),
    ):
        if not lost.any():
            continue
        winners = np.unique(lost_sources[lost]).tolist()
        stored = sorted(
            MeterImport.objects.filter(pk__in=winners).annotate(
                document_time=Coalesce("document_created_at", "created_at")
            ),
            key=lambda meter_import: (meter_import.document_time, meter_import.pk),
        )
        newest = stored[-1]
        named = document_label(
            newest.filename,
            newest.document_id,
            newest.document_time,
            bool(newest.document_id) or newest.document_time != newest.created_at,
        )
        others = len(stored) - 1
        if others:
            named += " " + ngettext(
                "und %(count)s weitere gespeicherte Lieferung",
                "und %(count)s weitere gespeicherte Lieferungen",
                others,
            ) % {"count": others}
        findings.append(
            Finding(
                code,
                delivery.filename,
                {
                    "delivery": delivery.label(),
                    "stored": named,
                    "count": str(int(lost.sum())),
                    "stored_import_id": str(newest.pk),
                    "stored_imports": str(len(stored)),
                },
            )
        )
    return findings
