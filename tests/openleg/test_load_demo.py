import pytest
from django.core.management import call_command

from accounts.models import User
from communities.models import AuditEntry, Community, Membership, MeteringPoint, Participant, Tariff
from documents.models import Document
from openleg.periods import local_today
from pipeline.models import Municipality, PipelineBriefing, Utility

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Community,
            Participant,
            MeteringPoint,
            Membership,
            Tariff,
            User,
            AuditEntry,
            Document,
            Utility,
            Municipality,
        )
    }


def test_load_demo_builds_a_realistic_demo_and_is_safe_to_run_twice(capsys):
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert first["Community"] == 3 and first["User"] == 4
    assert (first["Utility"], first["Municipality"]) == (1 + 30, 3 + 72)  # EWS-DEMO and the demo market data
    settings = dict(Community.objects.values_list("slug", "credit_handling"))
    assert settings == {"sonnenberg-dorf": "payout", "talwil-gewerbe": "carry_over", "rebhalde": "carry_over"}
    assert Community.objects.get(slug="sonnenberg-dorf").payout_account == "CH3800483000000555001"
    producing = Participant.objects.filter(role__in=["producer", "prosumer"])
    assert producing.count() == producing.exclude(iban="").count() > 0
    assert not Participant.objects.filter(role="consumer").exclude(iban="").exists()
    for participant in producing:
        participant.full_clean()  # every demo IBAN is valid and not a QR-IBAN
    for community in Community.objects.all():
        members = community.participants.count()
        assert 6 <= members <= 15
        assert community.representative.community_id == community.pk
        assert community.tariffs.count() == 1
    assert first["MeteringPoint"] == first["Participant"] == first["Membership"] == 12 + 9 + 6
    assert first["Document"] == (1 + 12 + 1) + (1 + 9 + 1)
    output = capsys.readouterr().out
    assert "Anmeldung admin / openleg-admin: " in output and "Anmeldung vnb / openleg-vnb: " in output
    assert "  Anmeldung desk / openleg-desk: Benutzer des Netzbetreibers (Portal), Rolle «LEG-Desk»\n" in output
    assert "  Anmeldung viewer / openleg-viewer: Benutzer des Netzbetreibers (Portal), Rolle «Nur lesen»\n" in output
    today = local_today()
    assert f"  Tagesbriefing der Pipeline vom {today:%d.%m.%Y}\n" in output  # the agent's daily review starts there
    assert list(PipelineBriefing.objects.values_list("day", flat=True)) == [today]  # once, however often it runs


def test_the_demo_utility_has_an_approver_a_desk_and_a_viewer():
    call_command("load_demo")
    User.objects.filter(username="desk").update(portal_role="viewer")  # as if changed, or loaded before roles
    call_command("load_demo")

    users = User.objects.filter(utility__isnull=False).order_by("username")
    assert [(user.username, user.portal_role, user.utility.vnb_number, user.email) for user in users] == [
        ("desk", "desk", "100999", "desk@ews-demo.example"),
        ("viewer", "viewer", "100999", "viewer@ews-demo.example"),
        ("vnb", "approver", "100999", "vnb@ews-demo.example"),
    ]
    for username in ("vnb", "desk", "viewer"):
        assert User.objects.get(username=username).check_password(f"openleg-{username}")


def test_demo_users_see_what_they_should(client):
    call_command("load_demo")
    assert client.login(username="vnb", password="openleg-vnb")
    page = client.get("/utility/").content.decode()
    assert "LEG Sonnenberg Dorf" in page and "LEG Talwil Gewerbe" in page
    client.logout()
    assert client.login(username="admin", password="openleg-admin")
    assert client.get("/admin/communities/community/").status_code == 200


def test_demo_meter_data_covers_march_and_june_through_the_importer():
    from datetime import date

    import numpy as np

    from metering.daybuckets import from_bytes
    from metering.models import DaySeries, MeterImport
    from openleg.periods import local_month

    call_command("load_demo")
    assert sorted(MeterImport.objects.values_list("filename", "status")) == [
        ("DEMO-LEG-sonnenberg-dorf-202603_E66.xml", "applied"),
        ("DEMO-LEG-sonnenberg-dorf-202606_E66.xml", "applied"),
        ("DEMO-LEG-talwil-gewerbe-202603_E66.xml", "applied"),
        ("DEMO-LEG-talwil-gewerbe-202606_E66.xml", "applied"),
        ("DEMO-sonnenberg-dorf-202603_E66.xml", "applied"),
        ("DEMO-sonnenberg-dorf-202606_E66.xml", "applied"),
        ("DEMO-talwil-gewerbe-202603_E66.xml", "applied"),
        ("DEMO-talwil-gewerbe-202606_E66.xml", "applied"),
    ]
    march = local_month(2026, 3)
    point = MeteringPoint.objects.get(mp_id="CH1009991234500000100000000000002")  # a consumer
    rows = DaySeries.objects.filter(
        metering_point=point,
        direction="consumption",
        channel="total",
        day__gte=date(2026, 2, 28),
        day__lte=date(2026, 3, 31),
    ).order_by("day")
    quality = np.concatenate([from_bytes(row.values, row.quality)[1] for row in rows])
    assert int(np.count_nonzero(quality)) == march.quarter_hours == 2972
    producers = DaySeries.objects.filter(direction="production").values("metering_point").distinct().count()
    assert producers == 3 + 3 + 3 + 2  # producers and prosumers of both communities


def test_demo_bills_both_months_with_the_vnb_split_to_reconcile():
    from billing.models import BillingRun

    call_command("load_demo")
    call_command("load_demo")
    runs = BillingRun.objects.order_by("community__name", "month")
    assert [(run.month, run.status, run.quarter_hours, run.deviations) for run in runs] == [
        (3, "draft", 2972, 2),
        (6, "draft", 2880, 2),
        (3, "draft", 2972, 2),
        (6, "draft", 2880, 2),
    ]
    assert all(run.blocking_issues == 0 for run in runs)


def test_the_demo_community_in_formation_can_walk_the_workflow(staff_user):
    from communities.formation import formation_move

    call_command("load_demo")
    community = Community.objects.get(slug="rebhalde")
    assert (community.status, community.documents.count(), community.start_date.isoformat()) == (
        "draft",
        0,
        "2027-04-01",
    )

    formation_move(community=community, to_status="participants_complete", actor=staff_user, door="admin")
    formation_move(community=community, to_status="eligible", actor=staff_user, door="admin")

    assert community.status == "eligible"
