"""The read-only gate: past due beyond the grace period, or churned after paying, refuses new work in the portal."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from communities.models import Community
from metering.models import MeterImport
from subscriptions.gate import grace_banner, new_work_allowed
from subscriptions.models import UtilitySubscription
from tests.accounts.factories import UtilityUserFactory
from tests.communities.factories import CommunityFactory
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
REFUSED = (
    "Ihr Abonnement ist nicht bezahlt: Neue Gemeinschaften, Importe und Abrechnungen sind gesperrt. "
    "Alle Daten bleiben lesbar und exportierbar. Bitte aktualisieren Sie die Zahlungsangaben unter «Abonnement»."
)


TRIAL_ENDED = (
    "Ihre Testphase ist abgelaufen: Neue Gemeinschaften, Importe und Abrechnungen sind gesperrt. "
    "Alle Daten bleiben lesbar und exportierbar. Unter «Abonnement» können Sie ein Abonnement abschliessen."
)


def subscribed(
    utility, status: str, *, past_due_days: int | None = None, has_paid: bool = True, trial_days_ago: int | None = None
):
    since = NOW - timedelta(days=past_due_days) if past_due_days is not None else None
    trial_end = NOW - timedelta(days=trial_days_ago) if trial_days_ago is not None else None
    return UtilitySubscription.objects.create(
        utility=utility, plan_key="starter", status=status, past_due_since=since, has_paid=has_paid, trial_end=trial_end
    )


@pytest.mark.parametrize(
    ("status", "past_due_days", "has_paid", "trial_days_ago", "allowed"),
    [
        ("trialing", None, False, -10, True),
        ("active", None, True, None, True),
        ("past_due", 14, True, None, True),
        ("past_due", 15, True, None, False),
        ("unpaid", 20, True, None, False),
        ("canceled", None, True, None, False),
        ("canceled", None, False, None, True),  # a checkout that never started: as without a subscription
        ("canceled", None, False, 1, False),  # cancelled when the trial ended
        ("paused", None, False, 1, False),  # the trial ended without a payment method
        ("incomplete_expired", None, False, None, True),
    ],
)
def test_new_work_allowed(status, past_due_days, has_paid, trial_days_ago, allowed):
    utility = UtilityFactory()
    subscribed(utility, status, past_due_days=past_due_days, has_paid=has_paid, trial_days_ago=trial_days_ago)

    assert new_work_allowed(utility, now=NOW) is allowed


def test_after_an_ended_trial_the_banner_asks_for_a_subscription():
    utility = UtilityFactory()
    subscribed(utility, "paused", has_paid=False, trial_days_ago=1)

    assert grace_banner(utility, now=NOW) == TRIAL_ENDED


def test_without_a_subscription_everything_is_allowed():
    utility = UtilityFactory()

    assert new_work_allowed(utility, now=NOW) is True
    assert grace_banner(utility, now=NOW) == ""


def test_the_banner_names_the_last_day_of_the_grace_period():
    utility = UtilityFactory()
    subscribed(utility, "past_due", past_due_days=3)

    assert grace_banner(utility, now=NOW) == (
        "Die Zahlung Ihres Abonnements ist ausstehend. Bitte aktualisieren Sie die Zahlungsangaben bis zum "
        "18.12.2026; danach können keine neuen Gemeinschaften, Importe und Abrechnungen mehr gestartet werden."
    )


def test_after_the_grace_period_the_banner_says_what_is_refused():
    utility = UtilityFactory()
    subscribed(utility, "past_due", past_due_days=15)

    assert grace_banner(utility, now=NOW) == REFUSED


@pytest.fixture
def blocked_client(client):
    community = CommunityFactory(name="LEG Sonnenhalde")
    UtilitySubscription.objects.create(utility=community.utility, plan_key="starter", status="canceled", has_paid=True)
    user = UtilityUserFactory(utility=community.utility, portal_role="approver")
    client.force_login(user)
    client.community = community
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def test_a_blocked_utility_cannot_create_a_community(blocked_client):
    community = blocked_client.community
    data = {
        "name": "LEG Neuhof",
        "municipality": community.municipality.pk,
        "grid_level": "7",
        "reduction_percent": "40",
    }

    response = blocked_client.post(reverse("portal:community-new"), data)

    assert (response.status_code, response.url) == (302, reverse("portal:home"))
    assert messages_of(response) == [REFUSED]
    assert list(Community.objects.values_list("name", flat=True)) == ["LEG Sonnenhalde"]


def test_a_blocked_utility_cannot_upload_meter_data(blocked_client):
    response = blocked_client.post(reverse("portal:meter-data"), {"files": []})

    assert (response.status_code, response.url) == (302, reverse("portal:meter-data"))
    assert messages_of(response) == [REFUSED]
    assert MeterImport.objects.count() == 0


def test_a_blocked_utility_cannot_compute_a_billing_run(blocked_client):
    community = blocked_client.community

    response = blocked_client.post(reverse("portal:billing-compute", args=[community.pk]), {"period": "2026-11"})

    assert (response.status_code, response.url) == (302, reverse("portal:billing", args=[community.pk]))
    assert messages_of(response) == [REFUSED]
    assert community.billing_runs.count() == 0


def test_a_blocked_utility_still_reads_its_pages_with_the_banner(blocked_client):
    community = blocked_client.community

    for url in (reverse("portal:home"), reverse("portal:community", args=[community.pk]), reverse("portal:meter-data")):
        response = blocked_client.get(url)
        assert response.status_code == 200
        assert REFUSED in response.content.decode()


def test_a_blocked_utility_cannot_apply_a_staged_import_but_may_still_preview(blocked_client):
    meter_import = MeterImport.objects.create(
        created_at=NOW,
        door="portal",
        utility=blocked_client.community.utility,
        filename="lieferung.xml",
        sha256="0" * 64,
        size=1,
        status=MeterImport.Status.PREVIEW,
    )
    url = reverse("portal:meter-import", args=[meter_import.pk])

    response = blocked_client.post(url, {"apply": "1"})

    assert (response.status_code, response.url) == (302, url)
    assert messages_of(response) == [REFUSED]
    meter_import.refresh_from_db()
    assert meter_import.status == MeterImport.Status.PREVIEW
