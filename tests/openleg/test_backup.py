"""scripts/backup and scripts/restore against the shared PostgreSQL: data made through the services (a community, its
imported meter file, an approved run with its invoice PDFs), backed up, restored into a fresh database of our own
and a fresh media directory, compared; a corrupted backup and a non-empty target are refused."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from billing.models import BillingRun, Invoice, InvoicePdf
from billing.services import billing_run_approve, billing_run_start
from communities.models import Community, Participant
from metering.models import MeterImport
from openleg import backups
from tests.billing.conftest import march_community  # noqa: F401  (five members, March 2026)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
IBAN = "CH93 0076 2011 6238 5295 7"


def _url(name: str) -> str:
    given = connection.settings_dict
    login = quote(given["USER"] or "", safe="")
    if given["PASSWORD"]:
        login += ":" + quote(given["PASSWORD"], safe="")
    return f"postgres://{login}@{given['HOST'] or '127.0.0.1'}:{given['PORT'] or 5432}/{name}"


def _connect(name: str, **options) -> psycopg.Connection:
    given = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        user=given["USER"],
        password=given["PASSWORD"] or None,
        host=given["HOST"] or "127.0.0.1",
        port=given["PORT"] or 5432,
        **options,
    )


@pytest.fixture
def fresh_database():
    """A database of this test's own, named after the test database, created empty and dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with _connect("postgres", autocommit=True) as admin:
        admin.execute(drop)  # left over by an interrupted run of this very test
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with _connect("postgres", autocommit=True) as admin:
        admin.execute(drop)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _script(name: str, *args, database: str, media_root: Path) -> subprocess.CompletedProcess:
    """Run a script as an operator would: the settings from the environment (local settings read MEDIA_ROOT)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openleg.settings.local",
        "DATABASE_URL": _url(database),
        "MEDIA_ROOT": str(media_root),
        "OPENLEG_PYTHON": sys.executable,
    }
    return subprocess.run(
        [str(ROOT / "scripts" / name), *map(str, args)], env=env, capture_output=True, text=True, timeout=300
    )


def _counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _error(result: subprocess.CompletedProcess) -> str:
    return result.stderr.strip().splitlines()[-1]


@pytest.fixture
def issued_month(media, march_community, staff_user):  # noqa: F811
    """March 2026 approved: its five invoice PDFs rendered by the task the approval queues (eager, after commit);
    every file under the test's own MEDIA_ROOT (asked for first)."""
    march_community.iban = IBAN
    march_community.save()
    run = billing_run_start(community=march_community, year=2026, month=3)
    billing_run_approve(run=run, actor=staff_user)
    return run


def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(
    issued_month, media, fresh_database, tmp_path
):
    source = connection.settings_dict["NAME"]
    target = tmp_path / "backup"
    restored_media = tmp_path / "restored-media"
    assert (Community.objects.count(), Participant.objects.count(), MeterImport.objects.count()) == (1, 5, 1)
    assert (BillingRun.objects.count(), Invoice.objects.count(), InvoicePdf.objects.count()) == (1, 5, 5)

    made = _script("backup", target, database=source, media_root=media)

    assert made.returncode == 0, made.stderr
    assert sorted(path.name for path in target.iterdir()) == ["database.dump", "manifest.json", "media.tar"]
    manifest = json.loads((target / "manifest.json").read_text())
    counts = manifest["database"]["counts"]
    with connection.cursor() as cursor:
        assert counts == _counts(cursor, backups._tables())
    assert (counts["billing_invoice"], counts["billing_invoicepdf"], counts["metering_meterimport"]) == (5, 5, 1)
    assert (
        manifest["files"]["database.dump"]["sha256"]
        == hashlib.sha256((target / "database.dump").read_bytes()).hexdigest()
    )
    assert (
        manifest["database"]["migrations"]["billing"]
        == sorted(name for app, name in _applied_migrations() if app == "billing")[-1]
    )

    restored = _script("restore", target, database=fresh_database, media_root=restored_media)

    assert restored.returncode == 0, restored.stderr
    rows = sum(counts.values())
    assert restored.stdout.splitlines()[-2] == (
        f"Geprüft: {len(counts)} Tabellen mit {rows:,} Zeilen wie in der Sicherung.".replace(",", "'")
    )
    with _connect(fresh_database) as copy, copy.cursor() as cursor:
        assert _counts(cursor, counts) == counts
        cursor.execute(
            "SELECT i.number, p.file, p.sha256 FROM billing_invoicepdf p JOIN billing_invoice i ON i.id = p.invoice_id"
            " ORDER BY i.number"
        )
        pdfs = cursor.fetchall()
        cursor.execute("SELECT file, sha256 FROM metering_meterimport")
        meter_files = cursor.fetchall()
    recorded = {pdf.invoice.number: (pdf.file.name, pdf.sha256) for pdf in InvoicePdf.objects.select_related("invoice")}
    assert {number: (name, sha) for number, name, sha in pdfs} == recorded
    for _number, name, sha in pdfs:
        assert hashlib.sha256((restored_media / name).read_bytes()).hexdigest() == sha
    ((name, sha),) = meter_files
    assert hashlib.sha256((restored_media / name).read_bytes()).hexdigest() == sha

    again = _script("restore", target, database=fresh_database, media_root=tmp_path / "elsewhere")

    assert again.returncode == 1
    assert _error(again) == (
        f"CommandError: Die Datenbank «{fresh_database}» ist nicht leer ({len(_tables_of(fresh_database))} "
        "Tabellen). Eine Sicherung wird nur in eine leere Datenbank zurückgespielt; --force ersetzt die Tabellen der "
        "Sicherung."
    )


def _applied_migrations() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return cursor.fetchall()


def _tables_of(name: str) -> list[str]:
    with _connect(name) as other, other.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return [row[0] for row in cursor.fetchall()]


def test_a_corrupted_backup_is_refused_and_nothing_is_restored(media, fresh_database, tmp_path):
    (media / "invoices").mkdir(parents=True)
    (media / "invoices" / "a.pdf").write_bytes(b"%PDF-1.7 a")
    target = tmp_path / "backup"
    assert _script("backup", target, database=connection.settings_dict["NAME"], media_root=media).returncode == 0
    dump = target / "database.dump"
    expected = json.loads((target / "manifest.json").read_text())["files"]["database.dump"]["sha256"]
    damaged = bytearray(dump.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    dump.write_bytes(bytes(damaged))
    restored_media = tmp_path / "restored-media"

    refused = _script("restore", target, database=fresh_database, media_root=restored_media)

    assert refused.returncode == 1
    assert _error(refused) == (
        f"CommandError: Die Sicherung in {target} ist beschädigt: database.dump hat die SHA-256-Prüfsumme "
        f"{hashlib.sha256(damaged).hexdigest()}, das Manifest nennt {expected}."
    )
    assert (_tables_of(fresh_database), restored_media.exists()) == ([], False)
    with pytest.raises(CommandError) as verified:
        call_command("backup_steps", "verify", str(target))
    assert str(verified.value) == _error(refused).removeprefix("CommandError: ")


def test_a_directory_without_manifest_is_refused(fresh_database, tmp_path):
    (tmp_path / "database.dump").write_bytes(b"PGDMP")

    refused = _script("restore", tmp_path, database=fresh_database, media_root=tmp_path / "media")

    assert refused.returncode == 1
    assert _error(refused) == (
        f"CommandError: {tmp_path} enthält kein manifest.json: das ist keine Sicherung von scripts/backup."
    )
