"""The database half of a backup and of its restore, and the manifest that ties a backup's files together.

``scripts/backup`` and ``scripts/restore`` run these steps through ``manage.py backup_steps``; the media archive is
theirs (tar). A backup directory holds:

- ``database.dump`` (PostgreSQL, ``pg_dump`` custom format) or ``database.sqlite3`` (SQLite, its backup API);
- ``media.tar``, the files under ``MEDIA_ROOT``;
- ``manifest.json``: when the snapshot was taken (UTC), the code's commit and version, the migrations applied, the
  row count of every table, and the SHA-256 of the dump and of the archive.

On PostgreSQL the counts and the migrations are read in the very snapshot ``pg_dump`` dumps (an exported snapshot
of a repeatable-read transaction), so a restore can be checked against them even when the backup ran while people
worked.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from openleg.errors import DomainError
from openleg.periods import utc_now

MANIFEST = "manifest.json"
DATABASE_PART = "database.json"  # written by the dump, folded into the manifest once the media are archived
MEDIA_ARCHIVE = "media.tar"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FORMAT = 1
_CHUNK = 1 << 20


class BackupRefused(DomainError):
    code = "backup_refused"


@dataclass(frozen=True)
class Difference:
    table: str
    expected: int | None
    found: int | None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _tables() -> list[str]:
    """Every table of the installed models (many-to-many tables included), each once."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables)


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    present = set(connection.introspection.table_names(cursor))
    counts = {}
    for table in tables:
        if table in present:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor) -> dict[str, str]:
    """The last migration applied of each app."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        latest[app] = name
    return dict(sorted(latest.items()))


def _libpq_environment() -> dict[str, str]:
    """The connection of ``DATABASE_URL`` for pg_dump and pg_restore, the password in the environment only."""
    _args, env = DatabaseClient.settings_to_cmd_args_env(connection.settings_dict, [])
    return {**os.environ, **(env or {})}


def _pg_command(program: str, parameters: list[str]) -> list[str]:
    """Django's psql command line for ``DATABASE_URL``, for another client; its last word is the database name."""
    args, _env = DatabaseClient.settings_to_cmd_args_env(connection.settings_dict, parameters)
    return [program, *args[1:]]


def _run(command: list[str], what: str) -> None:
    try:
        result = subprocess.run(command, env=_libpq_environment(), capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupRefused(
            _("%(program)s fehlt: installieren Sie den PostgreSQL-Client (Debian: postgresql-client).")
            % {"program": command[0]}
        ) from error
    if result.returncode != 0:
        raise BackupRefused(
            _("%(what)s ist fehlgeschlagen (%(program)s, Exit-Code %(code)s): %(error)s")
            % {"what": what, "program": command[0], "code": result.returncode, "error": result.stderr.strip()}
        )


def database_dump(*, directory: Path) -> dict:
    """Dump the database into ``directory`` and write what the manifest says of it; returns that."""
    connection.ensure_connection()
    part = _dump_postgres(directory) if _is_postgres() else _dump_sqlite(directory)
    (directory / DATABASE_PART).write_text(json.dumps(part, indent=2), encoding="utf-8")
    return part


def _dump_postgres(directory: Path) -> dict:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), now()")
        snapshot, taken_at = cursor.fetchone()
        counts, migrations = _counts(cursor, _tables()), _migrations(cursor)
        # pg_dump reads the same snapshot while this transaction holds it open.
        dump = directory / POSTGRES_DUMP
        _run(_pg_command("pg_dump", ["--format=custom", f"--snapshot={snapshot}", f"--file={dump}"]), "pg_dump")
    return {
        "engine": "postgresql",
        "file": POSTGRES_DUMP,
        "taken_at": _utc(taken_at),
        "counts": counts,
        "migrations": migrations,
    }


def _dump_sqlite(directory: Path) -> dict:
    taken_at = utc_now()
    target = directory / SQLITE_COPY
    with sqlite3.connect(connection.settings_dict["NAME"]) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    with sqlite3.connect(target) as copy:
        cursor = copy.cursor()
        tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {
            table: cursor.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in _tables()
            if table in tables
        }
        migrations: dict[str, str] = {}
        for app, name in cursor.execute("SELECT app, name FROM django_migrations ORDER BY id"):
            migrations[app] = name
    return {
        "engine": "sqlite",
        "file": SQLITE_COPY,
        "taken_at": _utc(taken_at),
        "counts": counts,
        "migrations": dict(sorted(migrations.items())),
    }


def _utc(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def code_version() -> dict[str, str]:
    """The code that made the backup: ``OPENLEG_VERSION`` (set it in images without ``.git``), else the commit."""
    commit = os.environ.get("OPENLEG_VERSION", "")
    if not commit:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, check=False
        )
        commit = result.stdout.strip() if result.returncode == 0 else ""
    try:
        version = metadata.version("openleg")
    except metadata.PackageNotFoundError:
        version = ""
    return {"commit": commit or "unknown", "version": version or "unknown"}


def manifest_write(*, directory: Path) -> dict:
    """Fold the dump's part and the checksums of the dump and the media archive into ``manifest.json``."""
    part_path = directory / DATABASE_PART
    database = json.loads(part_path.read_text(encoding="utf-8"))
    manifest = {
        "format": FORMAT,
        "taken_at": database.pop("taken_at"),
        "code": code_version(),
        "database": database,
        "files": {
            name: {"sha256": sha256_of(directory / name), "bytes": (directory / name).stat().st_size}
            for name in (database["file"], MEDIA_ARCHIVE)
        },
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    part_path.unlink()
    return manifest


def manifest_read(*, directory: Path) -> dict:
    """The manifest, read but not checked against the files (``manifest_verified`` does that)."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupRefused(
            _("%(dir)s enthält kein manifest.json: das ist keine Sicherung von scripts/backup.") % {"dir": directory}
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["files"].items()
        manifest["database"]["counts"].items()
    except (ValueError, KeyError, TypeError) as error:
        raise BackupRefused(
            _("Die Sicherung in %(dir)s ist beschädigt: manifest.json ist unlesbar (%(error)s).")
            % {"dir": directory, "error": error}
        ) from error
    return manifest


def manifest_verified(*, directory: Path) -> dict:
    """The manifest, once every file it names is there with its checksum; ``BackupRefused`` otherwise."""
    manifest = manifest_read(directory=directory)
    for name, expected in manifest["files"].items():
        file = directory / name
        if not file.is_file():
            raise BackupRefused(
                _("Die Sicherung in %(dir)s ist unvollständig: %(file)s fehlt.") % {"dir": directory, "file": name}
            )
        found = sha256_of(file)
        if found != expected["sha256"]:
            raise BackupRefused(
                _(
                    "Die Sicherung in %(dir)s ist beschädigt: %(file)s hat die SHA-256-Prüfsumme %(found)s, "
                    "das Manifest nennt %(expected)s."
                )
                % {"dir": directory, "file": name, "found": found, "expected": expected["sha256"]}
            )
    return manifest


def database_restore(*, directory: Path, force: bool = False) -> dict:
    """Restore a verified backup's database into the (empty) database of ``DATABASE_URL``, once it is sure that the
    media can follow into an empty ``MEDIA_ROOT``: a refusal leaves both untouched."""
    manifest = manifest_verified(directory=directory)
    engine = manifest["database"]["engine"]
    if engine != ("postgresql" if _is_postgres() else "sqlite"):
        raise BackupRefused(
            _("Die Sicherung ist eine %(engine)s-Datenbank, DATABASE_URL nennt %(target)s.")
            % {"engine": engine, "target": connection.vendor}
        )
    tables = connection.introspection.table_names()
    if tables and not force:
        raise BackupRefused(
            _(
                "Die Datenbank «%(name)s» ist nicht leer (%(count)s Tabellen). Eine Sicherung wird nur in eine leere "
                "Datenbank zurückgespielt; --force ersetzt die Tabellen der Sicherung."
            )
            % {"name": connection.settings_dict["NAME"], "count": len(tables)}
        )
    media = media_root()
    if media.is_dir() and any(media.iterdir()) and not force:
        raise BackupRefused(
            _(
                "MEDIA_ROOT %(media)s ist nicht leer: eine Sicherung wird nur in ein leeres Verzeichnis "
                "zurückgespielt; --force legt ihre Dateien dazu."
            )
            % {"media": media}
        )
    dump = directory / manifest["database"]["file"]
    if _is_postgres():
        _restore_postgres(dump, replace=bool(tables))
    else:
        _restore_sqlite(dump)
    return manifest


def _restore_postgres(dump: Path, *, replace: bool) -> None:
    options = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if replace:
        options += ["--clean", "--if-exists"]
    connection.close()  # pg_restore --clean must not wait for our own session
    # The dump file is the one positional argument; the database name Django appends last becomes --dbname's value.
    _run(_pg_command("pg_restore", [*options, str(dump), "--dbname"]), "pg_restore")


def _restore_sqlite(copy: Path) -> None:
    connection.close()
    target = Path(connection.settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(copy) as source, sqlite3.connect(target) as restored:
        source.backup(restored)


def restored_differences(*, manifest: dict) -> list[Difference]:
    """Tables whose rows differ from the manifest's counts (none after a good restore)."""
    expected = manifest["database"]["counts"]
    with connection.cursor() as cursor:
        found = _counts(cursor, sorted(expected))
    return [
        Difference(table, expected.get(table), found.get(table))
        for table in sorted(set(expected) | set(found))
        if expected.get(table) != found.get(table)
    ]


def pending_migrations() -> list[str]:
    """Migrations of this code that the restored database has not applied yet (an older backup)."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)
