"""The admin index: consoles linked at the top, django-celery-beat only for technical staff."""

import pytest
from django.contrib.auth.models import Group, Permission

from openleg.admin import TECHNICAL_GROUP
from tests.accounts.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

BEAT_LIST = "/admin/django_celery_beat/periodictask/"


def clerk(*, technical: bool = False):
    """Staff with every permission (beat's included) but not a superuser: a billing clerk."""
    user = StaffUserFactory(is_superuser=False)
    user.user_permissions.set(Permission.objects.all())
    if technical:
        user.groups.add(Group.objects.get_or_create(name=TECHNICAL_GROUP)[0])
    return user


def test_the_index_links_the_pipeline_dashboard_and_the_billing_console(client):
    client.force_login(clerk())
    page = client.get("/admin/").content.decode()

    assert '<a class="ol-btn ol-btn-secondary" href="/admin/pipeline/">Vertriebspipeline</a>' in page
    assert '<a class="ol-btn ol-btn-secondary" href="/admin/billing/billingrun/start/">Abrechnung starten</a>' in page
    assert '<a class="ol-btn ol-btn-secondary" href="/admin/payments/bankfile/open-items/">Offene Posten</a>' in page


def test_the_consoles_a_user_may_not_open_are_not_linked(client):
    user = StaffUserFactory(is_superuser=False)
    user.user_permissions.set(Permission.objects.filter(codename="view_billingrun"))
    client.force_login(user)
    page = client.get("/admin/").content.decode()

    assert "/admin/pipeline/" not in page
    assert "/admin/billing/billingrun/start/" not in page
    assert "/admin/payments/bankfile/open-items/" not in page


def test_a_clerk_does_not_see_celery_beat_even_with_its_permissions(client):
    client.force_login(clerk())

    assert "django_celery_beat" not in client.get("/admin/").content.decode()
    assert client.get(BEAT_LIST).status_code == 403
    assert client.get("/admin/django_celery_beat/").status_code == 404


def test_the_technik_group_and_superusers_see_celery_beat(client):
    for user in (clerk(technical=True), StaffUserFactory(is_superuser=True)):
        client.force_login(user)

        assert '<a href="/admin/django_celery_beat/periodictask/"' in client.get("/admin/").content.decode()
        assert client.get(BEAT_LIST).status_code == 200
