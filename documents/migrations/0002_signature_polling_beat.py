"""The Celery beat entry that polls DeepSign for running signatures, editable afterwards in the admin."""

from django.db import migrations

NAME = "DeepSign: laufende Unterschriften abfragen"


def create(apps, schema_editor):
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = crontab.objects.get_or_create(
        minute="*/15", hour="*", day_of_month="*", day_of_week="*", month_of_year="*", timezone="Europe/Zurich")
    periodic.objects.get_or_create(name=NAME, defaults={
        "task": "documents.tasks.poll_signature_requests", "crontab": schedule, "kwargs": "{}"})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
