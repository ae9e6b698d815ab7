"""Celery beat forgets kept Idempotency-Key answers past their keep time, daily (editable in the admin)."""

from django.db import migrations

NAME = "API: alte Idempotency-Antworten löschen (täglich 04:15)"
TASK = "api.idempotency.forget_expired_answers"
WHEN = {"minute": "15", "hour": "4", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*",
        "timezone": "Europe/Zurich"}


def create(apps, schema_editor):
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule = crontab.objects.filter(**WHEN).first() or crontab.objects.create(**WHEN)
    periodic.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": schedule, "kwargs": "{}"})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("api", "0001_agent_tokens_calls_jobs"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
