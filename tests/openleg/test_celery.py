from django.conf import settings

from openleg.celery import app


def test_celery_reads_django_settings():
    assert app.conf.task_always_eager is True  # the test settings run tasks in-process
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.task_time_limit == 30 * 60
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
