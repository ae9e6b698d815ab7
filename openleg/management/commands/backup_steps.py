"""python manage.py backup_steps media-root | dump DIR | manifest DIR | verify DIR | restore-database DIR [--force]
| check DIR: the steps of scripts/backup and scripts/restore that need the settings and the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openleg import backups
from openleg.formats import format_moment, swiss_number


class Command(BaseCommand):
    help = gettext_lazy(
        "Schritte von scripts/backup und scripts/restore: MEDIA_ROOT nennen, die Datenbank sichern, das Manifest "
        "schreiben und prüfen, die Datenbank zurückspielen und mit dem Manifest vergleichen."
    )

    def add_arguments(self, parser):
        steps = parser.add_subparsers(dest="step", required=True)
        steps.add_parser("media-root", help=_("MEDIA_ROOT der Einstellungen ausgeben"))
        for name, text in (
            ("dump", _("die Datenbank in VERZEICHNIS sichern")),
            ("manifest", _("manifest.json mit den Prüfsummen schreiben")),
            ("verify", _("die Prüfsummen des Manifests prüfen")),
            ("check", _("die zurückgespielte Datenbank mit dem Manifest vergleichen")),
        ):
            steps.add_parser(name, help=text).add_argument("directory", type=Path)
        restore = steps.add_parser("restore-database", help=_("die Datenbank aus VERZEICHNIS zurückspielen"))
        restore.add_argument("directory", type=Path)
        restore.add_argument("--force", action="store_true", help=_("auch in eine nicht leere Datenbank"))

    def handle(self, *args, step, **options):
        try:
            getattr(self, "_" + step.replace("-", "_"))(**options)
        except backups.BackupRefused as error:
            raise CommandError(error.message) from error

    def _media_root(self, **options):
        self.stdout.write(str(backups.media_root()))

    def _dump(self, *, directory: Path, **options):
        part = backups.database_dump(directory=directory)
        self.stdout.write(
            _("Datenbank gesichert (%(engine)s, Stand %(taken_at)s): %(tables)s Tabellen, %(rows)s Zeilen.")
            % {
                "engine": part["engine"],
                "taken_at": format_moment(part["taken_at"]),
                "tables": swiss_number(len(part["counts"]), 0),
                "rows": swiss_number(sum(part["counts"].values()), 0),
            }
        )

    def _manifest(self, *, directory: Path, **options):
        manifest = backups.manifest_write(directory=directory)
        self.stdout.write(
            _("Manifest geschrieben: Code %(commit)s, %(files)s.")
            % {
                "commit": manifest["code"]["commit"][:12],
                "files": ", ".join(
                    f"{name} {swiss_number(entry['bytes'], 0)} Bytes" for name, entry in manifest["files"].items()
                ),
            }
        )

    def _verify(self, *, directory: Path, **options):
        manifest = backups.manifest_verified(directory=directory)
        self.stdout.write(
            _("Sicherung vom %(taken_at)s geprüft: die Prüfsummen stimmen.")
            % {"taken_at": format_moment(manifest["taken_at"])}
        )

    def _restore_database(self, *, directory: Path, force: bool, **options):
        backups.database_restore(directory=directory, force=force)
        self.stdout.write(_("Datenbank zurückgespielt."))

    def _check(self, *, directory: Path, **options):
        manifest = backups.manifest_read(directory=directory)
        differences = backups.restored_differences(manifest=manifest)
        if differences:
            raise CommandError(
                _("Die zurückgespielte Datenbank weicht von der Sicherung ab: %(tables)s.")
                % {
                    "tables": "; ".join(
                        _("%(table)s %(found)s statt %(expected)s Zeilen")
                        % {"table": d.table, "found": d.found, "expected": d.expected}
                        for d in differences
                    )
                }
            )
        counts = manifest["database"]["counts"]
        self.stdout.write(
            _("Geprüft: %(tables)s Tabellen mit %(rows)s Zeilen wie in der Sicherung.")
            % {"tables": swiss_number(len(counts), 0), "rows": swiss_number(sum(counts.values()), 0)}
        )
        pending = backups.pending_migrations()
        if pending:
            self.stdout.write(
                _(
                    "Die Sicherung ist älter als der Code: %(count)s Migrationen fehlen (%(names)s). Führen Sie "
                    "«python manage.py migrate» aus."
                )
                % {"count": len(pending), "names": ", ".join(pending)}
            )
