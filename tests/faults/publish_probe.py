"""Run as a process with the app's settings: queue one task through the configured broker, print what happened.

``python -m tests.faults.publish_probe`` prints one JSON line: the exception class (or null) and the seconds the
``delay()`` took. The fault tests run it against a stopped or frozen broker, as a web request would meet it.
"""

import json
import time

import django

django.setup()

from api.idempotency import forget_expired_answers_task  # noqa: E402 (after django.setup())

started = time.monotonic()
try:
    forget_expired_answers_task.delay()
    error = None
except Exception as failure:  # what a web request would see
    error = f"{type(failure).__module__}.{type(failure).__name__}"
print(json.dumps({"error": error, "seconds": round(time.monotonic() - started, 2)}))
