from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from api.errors import ApiError
from api.models import AgentCall
from openleg.periods import local_today
from pipeline.dashboard import dashboard_figures
from pipeline.models import PipelineBriefing, PipelineEvent
from subscriptions.revenue import subscription_figures
from tests.accounts.factories import StaffUserFactory
from tests.api.tools.conftest import call
from tests.pipeline.factories import MarketMunicipalityFactory, UtilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    anna = StaffUserFactory(first_name="Anna", last_name="Muster")
    today = local_today()
    thun = UtilityFactory(
        name="Energie Thun AG",
        short_name="EThun",
        canton="BE",
        score=80,
        owner=anna,
        next_action="Nachfassen",
        next_action_due=today - timedelta(days=3),
    )
    spiez = UtilityFactory(
        name="Energie Spiez AG",
        short_name="ESpiez",
        canton="BE",
        score=60,
        stage="contacted",
        next_action="Demo planen",
        next_action_due=today + timedelta(days=2),
    )
    uster = UtilityFactory(name="Werke Uster AG", short_name="WUster", canton="ZH", score=None)
    return {"thun": thun, "spiez": spiez, "uster": uster, "today": today}


def test_the_pipeline_lists_utilities_best_score_first_with_owner_and_next_action(staff_token, market):
    answer = call(staff_token, "get_vnb_pipeline", {"canton": "BE"})

    today = market["today"]
    assert answer.status == 200
    assert answer.data == {
        "count": 2,
        "utilities": [
            {
                "id": market["thun"].pk,
                "name": "Energie Thun AG",
                "short_name": "EThun",
                "canton": "BE",
                "stage": "lead",
                "stage_changed_at": None,
                "score": 80,
                "owner": "Anna Muster",
                "next_action": "Nachfassen",
                "next_action_due": (today - timedelta(days=3)).isoformat(),
                "overdue": True,
                "last_contact_at": None,
            },
            {
                "id": market["spiez"].pk,
                "name": "Energie Spiez AG",
                "short_name": "ESpiez",
                "canton": "BE",
                "stage": "contacted",
                "stage_changed_at": None,
                "score": 60,
                "owner": "",
                "next_action": "Demo planen",
                "next_action_due": (today + timedelta(days=2)).isoformat(),
                "overdue": False,
                "last_contact_at": None,
            },
        ],
    }


@pytest.mark.parametrize(
    ("arguments", "names", "count"),
    [
        ({"stage": "lead"}, ["Energie Thun AG", "Werke Uster AG"], 2),
        ({"min_score": 61}, ["Energie Thun AG"], 1),
        ({"overdue": True}, ["Energie Thun AG"], 1),
        ({"overdue": False}, ["Energie Spiez AG", "Werke Uster AG"], 2),
        ({"ordering": "name"}, ["Energie Spiez AG", "Energie Thun AG", "Werke Uster AG"], 3),
        ({"ordering": "next_action_due"}, ["Energie Thun AG", "Energie Spiez AG", "Werke Uster AG"], 3),
        ({"ordering": "name", "limit": 1}, ["Energie Spiez AG"], 3),
    ],
)
def test_the_pipeline_filters_orders_and_limits(staff_token, market, arguments, names, count):
    answer = call(staff_token, "get_vnb_pipeline", arguments)
    assert ([row["name"] for row in answer.data["utilities"]], answer.data["count"]) == (names, count)


def test_a_bad_filter_is_refused_naming_the_field(staff_token, market):
    with pytest.raises(ApiError) as refused:
        call(staff_token, "get_vnb_pipeline", {"canton": "XX", "limit": 500})
    assert (refused.value.status, refused.value.code) == (400, "invalid")
    assert refused.value.message == "Ungültige Angaben: canton, limit."
    assert refused.value.details == {
        "fields": {
            "canton": ['"XX" ist keine gültige Option.'],  # DRF's own German catalogue
            "limit": ["Stelle sicher, dass dieser Wert kleiner oder gleich 200 ist."],
        }
    }


def test_a_stage_move_goes_through_the_transition_service_with_the_agent_door(staff_token, market):
    thun = market["thun"]

    answer = call(staff_token, "update_vnb_status", {"utility": thun.pk, "stage": "contacted", "note": "Antwort da."})

    event = PipelineEvent.objects.get(utility=thun)
    assert (event.kind, event.from_stage, event.to_stage, event.door, event.actor, event.summary) == (
        "stage",
        "lead",
        "contacted",
        "agent",
        None,
        "Antwort da.",
    )
    assert answer.data == {
        "utility": thun.pk,
        "from_stage": "lead",
        "to_stage": "contacted",
        "event": event.pk,
        "at": event.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "allowed_next": ["demo", "lost"],
    }
    record = AgentCall.objects.get(tool="update_vnb_status")
    assert (record.status, record.error_code, record.touched, record.transport) == (
        200,
        "",
        [f"utility:{thun.pk}"],
        "rest",
    )


def test_an_illegal_stage_move_answers_409_with_the_stages_allowed_now(staff_token, market):
    thun = market["thun"]

    with pytest.raises(ApiError) as refused:
        call(staff_token, "update_vnb_status", {"utility": thun.pk, "stage": "paid"})

    assert (refused.value.status, refused.value.code) == (409, "stage_move_refused")
    assert refused.value.message == "Von «Lead» kann der Netzbetreiber nicht nach «zahlend» wechseln."
    assert refused.value.details == {"from_stage": "lead", "allowed": ["contacted", "lost"], "reasons": []}
    assert PipelineEvent.objects.count() == 0
    record = AgentCall.objects.get(tool="update_vnb_status")
    assert (record.status, record.error_code) == (409, "stage_move_refused")


def test_marking_lost_needs_a_reason(staff_token, market):
    with pytest.raises(ApiError) as refused:
        call(staff_token, "update_vnb_status", {"utility": market["thun"].pk, "stage": "lost"})
    assert (refused.value.status, refused.value.code) == (409, "stage_move_refused")
    assert refused.value.details["reasons"] == ["Bitte eine Begründung angeben."]


def test_an_unknown_utility_is_404(staff_token, market):
    with pytest.raises(ApiError) as refused:
        call(staff_token, "score_vnb", {"utility": 999999})
    assert (refused.value.status, refused.value.code, refused.value.message) == (
        404,
        "not_found",
        "Es gibt keinen Netzbetreiber mit der Nummer 999999.",
    )


def test_score_vnb_rescores_and_returns_the_breakdown_sentences(staff_token, market):
    thun = market["thun"]
    thun.smart_meter_share = Decimal("0.600")
    thun.save()
    thun.municipalities.add(
        MarketMunicipalityFactory(
            bfs_number=942,
            name="Thun",
            population=20000,
            roof_potential_mwh=Decimal("130000.0"),
            installed_pv_kwp=Decimal("30000.0"),
        )
    )

    answer = call(staff_token, "score_vnb", {"utility": thun.pk})

    thun.refresh_from_db()
    assert (answer.data["score"], thun.score) == (64, 64)
    assert answer.data["utility"] == thun.pk and answer.data["name"] == "Energie Thun AG"
    assert answer.data["scored_at"] == thun.scored_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert {name: (part["weight"], part["points"]) for name, part in answer.data["parts"].items()} == {
        "population": (30, 15.0),
        "solar": (30, 15.0),
        "competition": (25, 25.0),
        "smart_meters": (15, 9.0),
    }
    assert answer.data["sentences"] == [
        "20'000 Einwohner in den versorgten Gemeinden (Einwohnerzahl erfasst für 1 von 1 Gemeinden); "
        "20'000 Einwohner ergeben den halben Wert.",
        "Dachpotenzial 130'000 MWh/Jahr, davon erzeugen 30'000 kWp installierte Photovoltaik rund "
        "30'000 MWh/Jahr (1'000 kWh pro kWp): ungenutzt 100'000 MWh/Jahr (erfasst für 1 von 1 Gemeinden); "
        "100'000 MWh/Jahr ergeben den halben Wert.",
        "Keine LEG-Plattform und kein eigenes LEG-Angebot des Netzbetreibers bekannt.",
        "60 % der Messpunkte haben ein intelligentes Messsystem (nötig für jede LEG).",
    ]


def test_the_dashboard_is_the_admin_dashboards_figures(staff_token, market):
    answer = call(staff_token, "get_pipeline_dashboard", {"canton": "BE"})

    assert answer.data == {
        **dashboard_figures(canton="BE", today=market["today"]),
        "subscriptions": subscription_figures(canton="BE"),
    }
    assert answer.data["total"] == 2
    assert [row["name"] for row in answer.data["overdue"]] == ["Energie Thun AG"]
    assert answer.data["overdue"][0]["days_overdue"] == 3


def test_the_latest_briefing_is_returned(staff_token):
    PipelineBriefing.objects.create(day=datetime(2026, 12, 6, tzinfo=UTC).date(), text="alt", figures={"day": "x"})
    PipelineBriefing.objects.create(
        day=datetime(2026, 12, 7, tzinfo=UTC).date(), text="Pipeline am 07.12.2026", figures={"day": "2026-12-07"}
    )

    answer = call(staff_token, "get_pipeline_briefing")

    assert {key: answer.data[key] for key in ("day", "text", "figures")} == {
        "day": "2026-12-07",
        "text": "Pipeline am 07.12.2026",
        "figures": {"day": "2026-12-07"},
    }


def test_no_briefing_yet_is_a_clear_404(staff_token):
    with pytest.raises(ApiError) as refused:
        call(staff_token, "get_pipeline_briefing")
    assert (refused.value.status, refused.value.code, refused.value.message) == (
        404,
        "briefing_missing",
        "Es gibt noch kein Tagesbriefing der Pipeline.",
    )
