"""One JSON object per log line, for production: what a log collector indexes without parsing text.

Fields: ``time`` (ISO 8601, UTC, milliseconds), ``level``, ``logger``, ``message``, ``request_id``; inside a
Celery task ``task_id`` and ``task_name``; on the access log line of a request ``method``, ``path``, ``status``,
``duration_ms``, ``user_id`` and ``route``; ``exception`` (the traceback as one string) when there is one.
"""

import json
import logging
from datetime import UTC, datetime

# Attributes that a record may carry (from LogContextFilter or the access log's ``extra``), in this order.
OPTIONAL_FIELDS = ("task_id", "task_name", "method", "path", "route", "status", "duration_ms", "user_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, tz=UTC)
        line = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
        }
        for name in OPTIONAL_FIELDS:
            value = getattr(record, name, None)
            if value not in (None, ""):
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
