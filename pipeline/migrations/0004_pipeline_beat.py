"""The pipeline's entries of Celery beat, editable afterwards in the admin (django-celery-beat)."""

import json

from django.db import migrations

ENTRIES = [
    ("Pipeline: Tagesbriefing (täglich 06:30)", "pipeline.tasks.daily_pipeline_review",
     {"minute": "30", "hour": "6", "day_of_week": "*"}, {}),
    ("Pipeline: Entwürfe Kontaktaufnahme (montags 07:00)", "pipeline.tasks.weekly_outreach_queue",
     {"minute": "0", "hour": "7", "day_of_week": "1"}, {"limit": 10}),
]


def create(apps, schema_editor):
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, when, kwargs in ENTRIES:
        schedule = crontab.objects.filter(
            **when, day_of_month="*", month_of_year="*", timezone="Europe/Zurich").first()
        if schedule is None:
            schedule = crontab.objects.create(**when, day_of_month="*", month_of_year="*", timezone="Europe/Zurich")
        periodic.objects.get_or_create(name=name, defaults={"task": task, "crontab": schedule, "kwargs": json.dumps(kwargs)})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[e[0] for e in ENTRIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0003_sales_pipeline"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
