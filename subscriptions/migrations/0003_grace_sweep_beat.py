"""Celery beat churns subscriptions left unpaid beyond the grace period, daily (editable in the admin)."""

from django.db import migrations

NAME = "Abonnemente: nach der Zahlungsfrist auf «gekündigt» (täglich 05:30)"
TASK = "subscriptions.tasks.subscriptions_churn_after_grace"
WHEN = {
    "minute": "30",
    "hour": "5",
    "day_of_week": "*",
    "day_of_month": "*",
    "month_of_year": "*",
    "timezone": "Europe/Zurich",
}


def schedule(apps, schema_editor):
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule").objects
    when = crontab.filter(**WHEN).first() or crontab.create(**WHEN)
    apps.get_model("django_celery_beat", "PeriodicTask").objects.get_or_create(
        name=NAME, defaults={"task": TASK, "crontab": when, "kwargs": "{}"}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0002_subscription_trial_end"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
