"""Every B2B call counted per client, endpoint and Europe/Zurich day: answered calls and denied ones (tier, canton,
limit). One upsert per call, so two workers counting at once both count."""

from datetime import datetime

from django.db import connection

from api.models import ApiUsage
from openleg.periods import local_date, utc_now


def count_call(*, client_id: int, endpoint: str, denied: bool = False, now: datetime | None = None) -> None:
    day = local_date(now or utc_now())
    table = connection.ops.quote_name(ApiUsage._meta.db_table)
    calls, refused = (0, 1) if denied else (1, 0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (client_id, endpoint, day, calls, denied) VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT (client_id, endpoint, day) DO UPDATE SET calls = {table}.calls + EXCLUDED.calls, "
            f"denied = {table}.denied + EXCLUDED.denied",
            [client_id, endpoint, day, calls, refused],
        )
