"""A database rule that periods of one group never overlap, on PostgreSQL and on SQLite.

Periods are dates with an inclusive end; an empty end means "open". PostgreSQL gets an
exclusion constraint over a daterange (needs btree_gist); SQLite gets triggers that abort the
write. Both raise IntegrityError, so a race between two writers cannot slip past the check
that services do first.
"""

from django.db import migrations


class AddNoOverlap(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = False

    def __init__(self, *, table: str, name: str, group: str, start: str, end: str) -> None:
        self.table, self.name, self.group, self.start, self.end = table, name, group, start, end

    def state_forwards(self, app_label, state):
        pass  # invisible to the model state: it is not a Django constraint

    def deconstruct(self):
        kwargs = {"table": self.table, "name": self.name, "group": self.group, "start": self.start, "end": self.end}
        return self.__class__.__name__, [], kwargs

    def describe(self):
        return f"Forbid overlapping ({self.start}, {self.end}) per {self.group} on {self.table}"

    def _sqlite_triggers(self) -> list[tuple[str, str]]:
        overlap = (
            f"SELECT RAISE(ABORT, '{self.name}: overlapping period') WHERE EXISTS ("
            f"SELECT 1 FROM {self.table} other WHERE other.{self.group} = NEW.{self.group} "
            f"AND other.id IS NOT NEW.id "
            f"AND other.{self.start} <= COALESCE(NEW.{self.end}, '9999-12-31') "
            f"AND NEW.{self.start} <= COALESCE(other.{self.end}, '9999-12-31'));"
        )
        return [
            (f"{self.name}_insert", f"BEFORE INSERT ON {self.table} BEGIN {overlap} END"),
            (f"{self.name}_update", f"BEFORE UPDATE ON {self.table} BEGIN {overlap} END"),
        ]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
            schema_editor.execute(
                f"ALTER TABLE {self.table} ADD CONSTRAINT {self.name} EXCLUDE USING gist "
                f"({self.group} WITH =, daterange({self.start}, {self.end}, '[]') WITH &&)"
            )
        elif vendor == "sqlite":
            for trigger, body in self._sqlite_triggers():
                schema_editor.execute(f"CREATE TRIGGER {trigger} {body}")
        else:
            raise NotImplementedError(f"no overlap rule for database vendor {vendor}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {self.table} DROP CONSTRAINT {self.name}")
        elif vendor == "sqlite":
            for trigger, _body in self._sqlite_triggers():
                schema_editor.execute(f"DROP TRIGGER {trigger}")
