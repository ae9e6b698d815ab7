"""Writing many day rows at once: insert, or replace on the unique key.

Django's ``bulk_create(update_conflicts=True)`` builds one huge SQL string per batch, which costs
more than the import itself at meter-data volume. PostgreSQL gets COPY into a temporary table and
one ``INSERT … ON CONFLICT``; SQLite gets ``executemany`` of the same statement. Day rows of meter data
are encoded for the binary COPY straight from their numpy matrices (``upsert_day_rows``).
"""

import struct
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db import IntegrityError, connection, models, transaction

from metering.daybuckets import SLOTS_PER_DAY, DayRowBatch, single_sources

# Binary COPY: a signature, then per row the field count and per field its length (-1: NULL) and bytes,
# integers big-endian; dates count days and timestamps microseconds from 2000-01-01 (UTC).
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\0" + bytes(8)
COPY_TRAILER = b"\xff\xff"
_COPY_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_COPY_EPOCH_DAY = date(2000, 1, 1).toordinal()
_DAY_FIELDS = ("day", "values", "quality", "sources")


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

    def copy_rows(copy) -> None:
        copy.set_types([_pg_type(model, name) for name in fields])
        for row in rows:
            copy.write_row(row)

    _upsert(model, fields, key, copy_rows, lambda: rows)
    return len(rows)


def upsert_day_rows(
    model: type[models.Model],
    *,
    leading: Sequence[str],
    trailing: Sequence[str],
    key: Sequence[str],
    batches: Sequence[DayRowBatch],
    none_stored: bool = False,
) -> int:
    """Like ``upsert_rows`` for day rows: the fields are ``leading``, day, values, quality, sources, ``trailing``.

    ``none_stored`` says that no row was stored when the batches were planned: PostgreSQL then gets them by COPY
    straight into the table, a third cheaper than through the staging table (a row stored meanwhile by another
    import makes it fall back to the upsert).
    """
    count = sum(len(batch) for batch in batches)
    if not count:
        return 0
    fields = (*leading, *_DAY_FIELDS, *trailing)
    payload: list[bytes] = []

    def copy_rows(copy) -> None:
        if not payload:
            encode = _day_row_encoder(model, leading, trailing)
            payload.append(b"".join([COPY_SIGNATURE, *(encode(b) for b in batches if len(b)), COPY_TRAILER]))
        copy.write(payload[0])

    if none_stored and connection.vendor == "postgresql" and _inserted_by_copy(model, fields, copy_rows):
        return count
    _upsert(model, fields, key, copy_rows, lambda: [row for batch in batches for row in batch.tuples()])
    return count


def _inserted_by_copy(model: type[models.Model], fields: Sequence[str], copy_rows: Callable[[object], None]) -> bool:
    """COPY into the table itself; False (and nothing written) when one of the rows exists already."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_column(model, name) for name in fields)
    try:
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy_rows(copy)
    except IntegrityError:
        return False
    return True


def _upsert(
    model: type[models.Model],
    fields: Sequence[str],
    key: Sequence[str],
    copy_rows: Callable[[object], None],
    rows: Callable[[], list[Sequence]],
) -> None:
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
                copy_rows(copy)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} {on_conflict}")
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) {on_conflict}", rows())


def _day_row_encoder(
    model: type[models.Model], leading: Sequence[str], trailing: Sequence[str]
) -> Callable[[DayRowBatch], bytes]:
    """Binary COPY rows of a batch as one numpy record per row: the constant fields are encoded once."""
    count = struct.pack(">h", len(leading) + len(_DAY_FIELDS) + len(trailing))
    leading_types, trailing_types = ([_pg_type(model, name) for name in names] for names in (leading, trailing))

    def encode(batch: DayRowBatch) -> bytes:
        head = count + b"".join(_copy_field(t, v) for t, v in zip(leading_types, batch.leading, strict=True))
        tail = b"".join(_copy_field(t, v) for t, v in zip(trailing_types, batch.trailing, strict=True))
        single, ids = single_sources(batch.sources, batch.quality)
        parts = []
        # Rows of one source store its id once, the others all 96 ids (daybuckets.sources_to_bytes): two layouts.
        for rows, sources in ((single, ids), (~single, batch.sources)):
            if not rows.any():
                continue
            record = np.empty(  # every field is set below
                int(rows.sum()),
                [
                    ("head", f"V{len(head)}"),
                    ("day_length", ">i4"),
                    ("day", ">i4"),
                    ("values_length", ">i4"),
                    ("values", "<i8", (SLOTS_PER_DAY,)),  # stored as little-endian int64, as daybuckets.to_bytes
                    ("quality_length", ">i4"),
                    ("quality", "u1", (SLOTS_PER_DAY,)),
                    ("sources_length", ">i4"),
                    ("sources", "<i8", sources.shape[1:]),  # little-endian int64, as daybuckets.sources_to_bytes
                    ("tail", f"V{len(tail)}"),
                ],
            )
            record["head"], record["tail"] = np.void(head), np.void(tail)
            record["day_length"], record["day"] = 4, batch.ordinals[rows] - _COPY_EPOCH_DAY
            record["values_length"], record["values"] = 8 * SLOTS_PER_DAY, batch.values[rows]
            record["quality_length"], record["quality"] = SLOTS_PER_DAY, batch.quality[rows]
            record["sources_length"], record["sources"] = 8 * int(np.prod(sources.shape[1:])), sources[rows]
            parts.append(record.tobytes())
        return b"".join(parts)

    return encode


def _copy_field(pg_type: str, value: object) -> bytes:
    """One constant field in binary COPY: its length, then its bytes."""
    if value is None:
        return struct.pack(">i", -1)
    if pg_type == "bigint":
        data = struct.pack(">q", value)
    elif pg_type == "integer":
        data = struct.pack(">i", value)
    elif pg_type == "timestamp with time zone":
        data = struct.pack(">q", (value - _COPY_EPOCH) // timedelta(microseconds=1))
    elif pg_type in ("varchar", "text"):
        data = str(value).encode("utf-8")
    else:
        raise ValueError(f"no binary COPY encoding for {pg_type}")
    return struct.pack(">i", len(data)) + data
