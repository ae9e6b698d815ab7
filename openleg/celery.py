import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openleg.settings.local")

app = Celery("openleg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The cleanup of kept Idempotency-Key answers lives beside the code that keeps them.
app.autodiscover_tasks(["api"], related_name="idempotency")

import openleg.celery_signals  # noqa: E402, F401  (request id, task log context, task metrics, beat heartbeat)
