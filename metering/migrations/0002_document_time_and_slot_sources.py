"""Per slot the import it came from, and per import the time of its document.

Stored rows get as source of each delivered slot the row's ``last_import`` (the best that is known: before,
the latest import won). Imports get their document's time: an SDAT file's InstanceDocument/Creation read
from the kept file's header, else the time the file came.
"""

import re
from datetime import UTC, datetime

import numpy as np
from django.core.files.storage import default_storage
from django.db import migrations, models

_CREATION = re.compile(rb"<(?:[\w.-]+:)?Creation>\s*([^<\s]+)\s*</")
_DOCUMENT_ID = re.compile(rb"<(?:[\w.-]+:)?InstanceDocument>.*?<(?:[\w.-]+:)?DocumentID>\s*([^<]+?)\s*</", re.S)
_HEADER_BYTES = 16384


def _header(name: str) -> bytes:
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read(_HEADER_BYTES)
    except (OSError, ValueError):
        return b""


def _document_of(meter_import) -> tuple[datetime, str]:
    if not meter_import.format.startswith("sdat") or not meter_import.file:
        return meter_import.created_at, ""
    head = _header(meter_import.file.name)
    document_id = _DOCUMENT_ID.search(head)
    creation = _CREATION.search(head)
    created = meter_import.created_at
    if creation:
        try:
            parsed = datetime.fromisoformat(creation.group(1).decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            parsed = None
        if parsed is not None and parsed.utcoffset() is not None:
            created = parsed.astimezone(UTC)
    return created, document_id.group(1).decode("utf-8", "replace")[:100] if document_id else ""


def fill(apps, schema_editor):
    MeterImport = apps.get_model("metering", "MeterImport")
    for meter_import in MeterImport.objects.only("pk", "format", "file", "created_at").iterator(chunk_size=500):
        created, document_id = _document_of(meter_import)
        MeterImport.objects.filter(pk=meter_import.pk).update(document_created_at=created, document_id=document_id)
    connection = schema_editor.connection
    for name in ("DaySeries", "AggregateDaySeries"):
        model = apps.get_model("metering", name)
        table = connection.ops.quote_name(model._meta.db_table)
        # Every delivered slot of a row came from its last import: the compact form of one source (8 bytes, see
        # metering.daybuckets.sources_to_bytes) says just that.
        rows = model.objects.values_list("pk", "last_import_id").iterator(chunk_size=2000)
        batch = []
        with connection.cursor() as cursor:
            for pk, last_import in rows:
                batch.append((np.int64(last_import).astype("<i8").tobytes(), pk))
                if len(batch) == 2000:
                    cursor.executemany(f"UPDATE {table} SET sources = %s WHERE id = %s", batch)
                    batch = []
            if batch:
                cursor.executemany(f"UPDATE {table} SET sources = %s WHERE id = %s", batch)

class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="meterimport",
            name="document_created_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="Dokument erstellt am"),
        ),
        migrations.AddField(
            model_name="meterimport",
            name="document_id",
            field=models.CharField(blank=True, max_length=100, verbose_name="Dokument-ID"),
        ),
        migrations.AddField(
            model_name="meterimport",
            name="slots_superseded",
            field=models.PositiveIntegerField(default=0, verbose_name="überholte Werte"),
        ),
        migrations.AlterField(
            model_name="meterimport",
            name="status",
            field=models.CharField(
                choices=[
                    ("preview", "Vorschau"),
                    ("applied", "übernommen"),
                    ("superseded", "überholt"),
                    ("unchanged", "bereits importiert"),
                    ("rejected", "abgelehnt"),
                ],
                max_length=16,
                verbose_name="Status",
            ),
        ),
        migrations.AddField(
            model_name="dayseries",
            name="sources",
            field=models.BinaryField(default=b"", verbose_name="Herkunft je Viertelstunde (Import)"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="aggregatedayseries",
            name="sources",
            field=models.BinaryField(default=b"", verbose_name="Herkunft je Viertelstunde (Import)"),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="meterimport", name="meter_import_file_applied_once"),
        migrations.AddConstraint(
            model_name="meterimport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["applied", "superseded"])),
                fields=("sha256",),
                name="meter_import_file_applied_once",
            ),
        ),
    ]
