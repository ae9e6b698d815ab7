"""The database rule that a metering point joins only communities in its own utility's grid.

A membership links a metering point (with its utility) to a participant, and through it to a community (with its
utility); both utilities must be the same. Four tables can break that, so each gets a trigger: a membership
written, a point's utility changed, a participant moved to another community, a community moved to another
utility. PostgreSQL runs the check after the row is written and locks the rows it reads, so two concurrent writers
cannot each pass alone; SQLite aborts before the write (it has one writer at a time). Both raise IntegrityError.
"""

from django.db import migrations

NAME = "membership_same_utility"
MEMBERSHIP = "communities_membership"
POINT = "communities_meteringpoint"
PARTICIPANT = "communities_participant"
COMMUNITY = "communities_community"

_JOINS = (
    f"FROM {MEMBERSHIP} m JOIN {POINT} mp ON mp.id = m.metering_point_id "
    f"JOIN {PARTICIPANT} p ON p.id = m.participant_id JOIN {COMMUNITY} c ON c.id = p.community_id"
)

# Per table: the columns whose change can break the rule, and the condition (over NEW) that finds a broken
# membership. NEW is used instead of the stored row because SQLite checks before the row is written.
_CHECKS = {
    MEMBERSHIP: (
        "metering_point_id, participant_id",
        f"SELECT 1 FROM {POINT} mp, {PARTICIPANT} p, {COMMUNITY} c WHERE mp.id = NEW.metering_point_id "
        "AND p.id = NEW.participant_id AND c.id = p.community_id AND mp.utility_id <> c.utility_id",
    ),
    POINT: ("utility_id", f"SELECT 1 {_JOINS} WHERE m.metering_point_id = NEW.id AND c.utility_id <> NEW.utility_id"),
    PARTICIPANT: (
        "community_id",
        f"SELECT 1 FROM {MEMBERSHIP} m JOIN {POINT} mp ON mp.id = m.metering_point_id "
        f"JOIN {COMMUNITY} c ON c.id = NEW.community_id WHERE m.participant_id = NEW.id "
        "AND mp.utility_id <> c.utility_id",
    ),
    COMMUNITY: ("utility_id", f"SELECT 1 {_JOINS} WHERE p.community_id = NEW.id AND mp.utility_id <> NEW.utility_id"),
}

# A new membership must not pass the check while another transaction moves its point, participant or community.
_PG_MEMBERSHIP_LOCK = (
    f"PERFORM 1 FROM {POINT} mp, {PARTICIPANT} p, {COMMUNITY} c WHERE mp.id = NEW.metering_point_id "
    "AND p.id = NEW.participant_id AND c.id = p.community_id FOR SHARE;"
)


def _trigger(table: str) -> str:
    return f"{NAME}_{table.removeprefix('communities_')}"


def _postgresql_forwards(table: str) -> list[str]:
    columns, broken = _CHECKS[table]
    lock = _PG_MEMBERSHIP_LOCK if table == MEMBERSHIP else ""
    function = (
        f"CREATE FUNCTION {_trigger(table)}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {lock} "
        f"IF EXISTS ({broken}) THEN RAISE EXCEPTION '{NAME}: metering point and community in different grids' "
        "USING ERRCODE = 'check_violation'; END IF; RETURN NULL; END $$"
    )
    events = f"INSERT OR UPDATE OF {columns}" if table == MEMBERSHIP else f"UPDATE OF {columns}"
    trigger = (
        f"CREATE TRIGGER {_trigger(table)} AFTER {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {_trigger(table)}()"
    )
    return [function, trigger]


def _sqlite_forwards(table: str) -> list[str]:
    columns, broken = _CHECKS[table]
    refuse = f"SELECT RAISE(ABORT, '{NAME}: metering point and community in different grids')"
    body = f"BEGIN {refuse} WHERE EXISTS ({broken}); END"
    statements = [f"CREATE TRIGGER {_trigger(table)}_update BEFORE UPDATE OF {columns} ON {table} {body}"]
    if table == MEMBERSHIP:
        statements.append(f"CREATE TRIGGER {_trigger(table)}_insert BEFORE INSERT ON {table} {body}")
    return statements


def _sqlite_backwards(table: str) -> list[str]:
    suffixes = ["update", "insert"] if table == MEMBERSHIP else ["update"]
    return [f"DROP TRIGGER {_trigger(table)}_{suffix}" for suffix in suffixes]


class AddSameUtilityRule(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = False

    def state_forwards(self, app_label, state):
        pass  # invisible to the model state: it is not a Django constraint

    def deconstruct(self):
        return self.__class__.__name__, [], {}

    def describe(self):
        return "Forbid a membership whose metering point and community are in different utilities' grids"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = [sql for table in _CHECKS for sql in _postgresql_forwards(table)]
        elif vendor == "sqlite":
            statements = [sql for table in _CHECKS for sql in _sqlite_forwards(table)]
        else:
            raise NotImplementedError(f"no same-utility rule for database vendor {vendor}")
        for sql in statements:
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        for table in _CHECKS:
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER {_trigger(table)} ON {table}")
                schema_editor.execute(f"DROP FUNCTION {_trigger(table)}()")
            elif vendor == "sqlite":
                for sql in _sqlite_backwards(table):
                    schema_editor.execute(sql)
