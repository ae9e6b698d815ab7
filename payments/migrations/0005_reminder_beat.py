"""The daily reminder proposal on Celery beat, editable afterwards in the admin (django-celery-beat)."""

from django.db import migrations

NAME = "Mahnungen vorschlagen (täglich)"


def create(apps, schema_editor):
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = crontab.objects.get_or_create(
        minute="0", hour="7", day_of_month="*", day_of_week="*", month_of_year="*", timezone="Europe/Zurich"
    )
    periodic.objects.get_or_create(name=NAME, defaults={"task": "payments.tasks.propose_reminders", "crontab": schedule})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_reminders"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
