"""Celery beat sends the heartbeat every minute (openleg/heartbeat.py); a message older than a minute expires, so a
worker back after an outage does not run a backlog of them."""

from django.db import migrations
from django.utils import timezone

NAME = "Betrieb: Herzschlag von Beat und Worker (jede Minute)"
TASK = "openleg.tasks.heartbeat"


def create(apps, schema_editor):
    interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = interval.objects.get_or_create(every=60, period="seconds")
    periodic.objects.get_or_create(
        name=NAME, defaults={"task": TASK, "interval": every_minute, "kwargs": "{}", "expire_seconds": 60}
    )
    # A running beat reloads its schedule only when this stamp moves (the admin's saves move it; a migration must).
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
