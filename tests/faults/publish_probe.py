"""Run as a process with the app's settings: queue a task through the configured broker for each line read.

``python -m tests.faults.publish_probe`` answers each line of its input with one JSON line: the exception class
(or null) and the seconds the ``delay()`` took. The fault tests stop or freeze the broker between lines, as a web
request would meet it.
"""

import json
import sys
import time

import django

django.setup()

from api.idempotency import forget_expired_answers_task  # noqa: E402 (after django.setup())

for _line in sys.stdin:
    started = time.monotonic()
    try:
        forget_expired_answers_task.delay()
        error = None
    except Exception as failure:  # what a web request would see
        error = f"{type(failure).__module__}.{type(failure).__name__}"
    print(json.dumps({"error": error, "seconds": round(time.monotonic() - started, 2)}), flush=True)
