"""The Celery beat entry that queues again dispatches stuck in the outbox, editable afterwards in the admin."""

from django.db import migrations

NAME = "Postausgang: hängende E-Mails erneut einreihen"


def create(apps, schema_editor):
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = crontab.objects.get_or_create(
        minute="*/5", hour="*", day_of_month="*", day_of_week="*", month_of_year="*", timezone="Europe/Zurich")
    periodic.objects.get_or_create(name=NAME, defaults={
        "task": "documents.tasks.requeue_stuck_dispatches", "crontab": schedule, "kwargs": "{}"})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_outbox"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
