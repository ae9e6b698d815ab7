"""Writing many day rows at once: insert, or replace on the unique key.

Django's ``bulk_create(update_conflicts=True)`` builds one huge SQL string per batch, which costs
more than the import itself at meter-data volume. PostgreSQL gets COPY into a temporary table and
one ``INSERT … ON CONFLICT``; SQLite gets ``executemany`` of the same statement.
"""

from collections.abc import Iterable, Sequence

from django.db import connection, models


def _column(model: type[models.Model], name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _pg_type(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    target = field.target_field if field.is_relation else field
    return target.db_type(connection).split("(")[0].replace("serial", "integer")


def upsert_rows(
    model: type[models.Model], *, fields: Sequence[str], key: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """Insert ``rows`` (values in the order of ``fields``); on a clash on ``key`` the other fields are replaced."""
    rows = list(rows)
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_column(model, name) for name in fields)
    conflict = ", ".join(_column(model, name) for name in key)
    updates = ", ".join(f"{_column(model, n)} = EXCLUDED.{_column(model, n)}" for n in fields if n not in key)
    on_conflict = f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = f"_upsert_{model._meta.db_table}"
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} AS SELECT {columns} FROM {table} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {staging}")
            # Binary COPY: bytea travels as it is instead of as hex text.
            with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([_pg_type(model, name) for name in fields])
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} {on_conflict}")
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) {on_conflict}", rows)
    return len(rows)
