"""The monthly billing entries of Celery beat, editable afterwards in the admin (django-celery-beat)."""

import json

from django.db import migrations

ENTRIES = [
    ("Monatsabrechnung (am 2. des Monats)", {"minute": "0", "hour": "3", "day_of_month": "2"}, {}),
    ("Monatsabrechnung: fehlende Läufe starten (täglich)", {"minute": "30", "hour": "6", "day_of_month": "*"},
     {"only_missing": True}),
]


def create(apps, schema_editor):
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, when, kwargs in ENTRIES:
        schedule, _ = crontab.objects.get_or_create(
            **when, day_of_week="*", month_of_year="*", timezone="Europe/Zurich")
        periodic.objects.get_or_create(name=name, defaults={
            "task": "billing.tasks.start_monthly_billing", "crontab": schedule, "kwargs": json.dumps(kwargs)})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[e[0] for e in ENTRIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
