import pytest
from django.core.management import call_command

from accounts.models import User
from communities.models import AuditEntry, Community, Membership, MeteringPoint, Participant, Tariff

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Community, Participant, MeteringPoint, Membership, Tariff, User, AuditEntry)
    }


def test_load_demo_builds_a_realistic_demo_and_is_safe_to_run_twice(capsys):
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert first["Community"] == 2 and first["User"] == 2
    for community in Community.objects.all():
        members = community.participants.count()
        assert 8 <= members <= 15
        assert community.representative.community_id == community.pk
        assert community.tariffs.count() == 1
    assert first["MeteringPoint"] == first["Participant"] == first["Membership"] == 21
    output = capsys.readouterr().out
    assert "login admin / openleg-admin" in output and "login vnb / openleg-vnb" in output


def test_demo_users_see_what_they_should(client):
    call_command("load_demo")
    assert client.login(username="vnb", password="openleg-vnb")
    page = client.get("/utility/").content.decode()
    assert "LEG Sonnenberg Dorf" in page and "LEG Talwil Gewerbe" in page
    client.logout()
    assert client.login(username="admin", password="openleg-admin")
    assert client.get("/admin/communities/community/").status_code == 200
