"""Rows and imports stored before slot sources existed get them from what was recorded."""

import importlib
from datetime import UTC, date, datetime
from types import SimpleNamespace

import numpy as np
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection

from metering.daybuckets import sources_from_bytes, to_bytes
from metering.models import DaySeries, MeterImport
from tests.communities.factories import MeteringPointFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("metering.migrations.0002_document_time_and_slot_sources")
ARRIVED = datetime(2026, 7, 6, 9, 0, tzinfo=UTC)


def _import(name: str, format: str, content: bytes) -> MeterImport:
    meter_import = MeterImport(
        created_at=ARRIVED, door="command", filename=name, sha256=name.ljust(64, "0"), size=1, format=format
    )
    meter_import.file.save(name, ContentFile(content), save=False)
    meter_import.save()
    return meter_import


def test_existing_rows_get_their_last_import_as_source_of_every_delivered_slot():
    header = (
        b'<?xml version="1.0"?><rsm:ValidatedMeteredData_16 xmlns:rsm="http://www.strom.ch">'
        b"<rsm:ValidatedMeteredData_HeaderInformation><rsm:InstanceDocument><rsm:DocumentID>DOC-7</rsm:DocumentID>"
        b"<rsm:Creation>2026-07-05T10:00:00+02:00</rsm:Creation></rsm:InstanceDocument>"
    )
    sdat = _import("old.xml", "sdat-e66", header)
    csv = _import("old.csv", "bkw", b"Messpunkt;Datum\r\n")
    broken = _import("broken.xml", "sdat-e66", b"<rsm:Creation>gestern</rsm:Creation>")
    quality = np.zeros(96, np.uint8)
    quality[10:20] = 1
    values, quality_bytes = to_bytes(np.arange(96, dtype=np.int64), quality)
    row = DaySeries.objects.create(
        metering_point=MeteringPointFactory(),
        direction="consumption",
        channel="total",
        day=date(2026, 7, 1),
        values=values,
        quality=quality_bytes,
        sources=b"",
        last_import=sdat,
        updated_at=ARRIVED,
    )
    migration.fill(apps, SimpleNamespace(connection=connection))  # what RunPython hands over, as far as used
    row.refresh_from_db()
    expected = np.zeros(96, np.int64)
    expected[10:20] = sdat.pk
    assert sources_from_bytes(row.sources, row.quality).tolist() == expected.tolist()
    documents = {
        m.filename: (m.document_id, m.document_created_at)
        for m in MeterImport.objects.filter(pk__in=[sdat.pk, csv.pk, broken.pk])
    }
    assert documents == {
        "old.xml": ("DOC-7", datetime(2026, 7, 5, 8, 0, tzinfo=UTC)),
        "old.csv": ("", ARRIVED),
        "broken.xml": ("", ARRIVED),
    }
