from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from openleg.errors import DomainError, NotFound
from pipeline import services
from pipeline.models import OutreachDraft, PipelineEvent, Stage, Utility
from pipeline.services import StageChangeRefused
from pipeline.stages import Door
from tests.pipeline.factories import MarketMunicipalityFactory, UtilityFactory

pytestmark = pytest.mark.django_db
S = Stage


def move(utility, to, actor=None, door=Door.ADMIN, note=""):
    return services.utility_stage_move(utility=utility, to_stage=to, actor=actor, door=door, note=note)


def force(utility, stage):
    Utility.objects.filter(pk=utility.pk).update(stage=stage)
    utility.refresh_from_db()


# -- stage moves ---------------------------------------------------------------------------------------------


def test_a_move_changes_the_stage_and_records_who_when_what_and_through_which_door(staff_user):
    utility = UtilityFactory()
    event = move(utility, S.CONTACTED, staff_user, note=" erstes Telefonat ")

    stored = Utility.objects.get(pk=utility.pk)
    assert (stored.stage, stored.stage_changed_at) == (S.CONTACTED, event.at)
    assert (utility.stage, utility.stage_changed_at) == (S.CONTACTED, event.at)
    assert (event.kind, event.from_stage, event.to_stage, event.actor, event.door, event.summary) == (
        "stage",
        S.LEAD,
        S.CONTACTED,
        staff_user,
        "admin",
        "erstes Telefonat",
    )
    assert PipelineEvent.objects.filter(utility=utility).count() == 1


def test_the_whole_way_from_lead_to_churned_and_back_to_trial(staff_user):
    utility = UtilityFactory()
    for stage in (S.CONTACTED, S.DEMO, S.TRIAL, S.PAID, S.CHURNED, S.TRIAL):
        move(utility, stage, staff_user)
    events = PipelineEvent.objects.filter(utility=utility).order_by("pk")
    assert [(e.from_stage, e.to_stage) for e in events] == [
        (S.LEAD, S.CONTACTED),
        (S.CONTACTED, S.DEMO),
        (S.DEMO, S.TRIAL),
        (S.TRIAL, S.PAID),
        (S.PAID, S.CHURNED),
        (S.CHURNED, S.TRIAL),
    ]


def test_an_illegal_move_names_both_stages_and_writes_nothing(staff_user):
    utility = UtilityFactory()
    with pytest.raises(StageChangeRefused) as refused:
        move(utility, S.PAID, staff_user)
    assert refused.value.message == "Von «Lead» kann der Netzbetreiber nicht nach «zahlend» wechseln."
    assert refused.value.code == "stage_change_refused"
    assert Utility.objects.get(pk=utility.pk).stage == S.LEAD
    assert PipelineEvent.objects.count() == 0


@pytest.mark.parametrize("stage", [S.LEAD, S.CONTACTED, S.DEMO, S.TRIAL])
def test_lost_from_every_open_stage_needs_a_reason(stage, staff_user):
    utility = UtilityFactory(stage=stage)
    with pytest.raises(StageChangeRefused) as refused:
        move(utility, S.LOST, staff_user, note="   ")
    assert refused.value.message == (
        "Der Netzbetreiber kann nicht nach «verloren» wechseln: Bitte eine Begründung angeben."
    )
    assert refused.value.reasons == ["Bitte eine Begründung angeben."]
    assert PipelineEvent.objects.count() == 0

    event = move(utility, S.LOST, staff_user, note="hat eigene Lösung gebaut")
    assert (event.from_stage, event.to_stage, event.summary) == (stage, S.LOST, "hat eigene Lösung gebaut")


@pytest.mark.parametrize("stage", [S.PAID, S.CHURNED])
def test_a_customer_is_not_lost_but_churns(stage):
    utility = UtilityFactory(stage=stage)
    with pytest.raises(StageChangeRefused):
        move(utility, S.LOST, note="weg")


def test_a_stale_object_cannot_move_twice(staff_user):
    utility = UtilityFactory()
    stale = Utility.objects.get(pk=utility.pk)
    move(utility, S.CONTACTED, staff_user)

    with pytest.raises(StageChangeRefused) as refused:
        move(stale, S.CONTACTED, staff_user)
    assert refused.value.message == "Von «kontaktiert» kann der Netzbetreiber nicht nach «kontaktiert» wechseln."
    assert PipelineEvent.objects.count() == 1


def test_a_stale_object_moves_from_the_stored_stage(staff_user):
    utility = UtilityFactory()
    stale = Utility.objects.get(pk=utility.pk)
    move(utility, S.CONTACTED, staff_user)

    event = move(stale, S.DEMO, staff_user)
    assert (event.from_stage, stale.stage) == (S.CONTACTED, S.DEMO)


def test_an_unknown_stage_is_refused_with_a_message():
    with pytest.raises(StageChangeRefused) as refused:
        move(UtilityFactory(), "won")
    assert refused.value.message == "Die Phase «won» gibt es nicht."


def test_an_unknown_door_is_a_programming_error():
    with pytest.raises(ValueError):
        move(UtilityFactory(), S.CONTACTED, door="fax")


def test_the_subscription_moves_a_lead_to_trial_and_records_no_person():
    utility = UtilityFactory()
    event = move(utility, S.TRIAL, door=Door.SUBSCRIPTION)
    assert (event.door, event.actor, utility.stage) == ("subscription", None, S.TRIAL)


def test_the_subscription_cannot_make_sales_moves():
    utility = UtilityFactory()
    with pytest.raises(StageChangeRefused) as refused:
        move(utility, S.CONTACTED, door=Door.SUBSCRIPTION)
    assert refused.value.message == "Von «Lead» kann der Netzbetreiber nicht nach «kontaktiert» wechseln."


def test_staff_cannot_jump_a_lead_to_trial():
    with pytest.raises(StageChangeRefused):
        move(UtilityFactory(), S.TRIAL)


def test_a_person_without_account_is_recorded_as_nobody(django_user_model):
    event = move(UtilityFactory(), S.CONTACTED, actor=django_user_model(username="unsaved"), door=Door.COMMAND)
    assert (event.actor, event.door) == (None, "command")


# -- contacts ------------------------------------------------------------------------------------------------


def contact(utility, at=None, summary="Telefonat mit der Leiterin Netze", actor=None, channel="phone"):
    return services.utility_contact_record(
        utility=utility, channel=channel, summary=summary, actor=actor, door=Door.ADMIN, at=at
    )


def test_a_contact_is_recorded_and_moves_the_last_contact_but_not_the_stage(staff_user):
    utility = UtilityFactory()
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    event = contact(utility, at=at, actor=staff_user)

    stored = Utility.objects.get(pk=utility.pk)
    assert (stored.stage, stored.last_contact_at, utility.last_contact_at) == (S.LEAD, at, at)
    assert (event.kind, event.channel, event.summary, event.at, event.actor, event.door) == (
        "contact",
        "phone",
        "Telefonat mit der Leiterin Netze",
        at,
        staff_user,
        "admin",
    )
    assert stored.stage_changed_at is None


def test_an_older_contact_recorded_late_keeps_the_newer_last_contact():
    utility = UtilityFactory()
    newer = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    contact(utility, at=newer)
    contact(utility, at=newer - timedelta(days=10))
    assert utility.last_contact_at == newer
    assert Utility.objects.get(pk=utility.pk).last_contact_at == newer
    assert PipelineEvent.objects.filter(utility=utility, kind="contact").count() == 2


def test_a_contact_without_time_happens_now():
    utility = UtilityFactory()
    before = datetime.now(UTC)
    event = contact(utility)
    assert before <= event.at <= datetime.now(UTC)
    assert utility.last_contact_at == event.at


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"summary": "  "}, "Bitte festhalten, worum es im Kontakt ging.", "summary"),
        ({"channel": "fax"}, "Den Kanal «fax» gibt es nicht.", "channel"),
        (
            {"at": datetime(2099, 1, 1, tzinfo=UTC)},
            "Ein Kontakt kann nicht in der Zukunft liegen.",
            "at",
        ),
    ],
)
def test_a_bad_contact_is_refused_and_writes_nothing(changes, message, field):
    utility = UtilityFactory()
    with pytest.raises(DomainError) as refused:
        contact(utility, **changes)
    assert (refused.value.message, refused.value.field) == (message, field)
    assert PipelineEvent.objects.count() == 0
    assert Utility.objects.get(pk=utility.pk).last_contact_at is None


def test_a_naive_contact_time_is_refused():
    with pytest.raises(ValueError):
        contact(UtilityFactory(), at=datetime(2026, 3, 2, 9, 30))  # noqa: DTZ001


# -- next action ---------------------------------------------------------------------------------------------


def test_the_next_action_is_set_and_cleared(staff_user):
    utility = UtilityFactory()
    returned = services.utility_next_action_set(
        utility=utility, action=" Demo anbieten ", due=date(2026, 7, 1), actor=staff_user, door=Door.ADMIN
    )
    assert returned is utility
    stored = Utility.objects.get(pk=utility.pk)
    assert (stored.next_action, stored.next_action_due) == ("Demo anbieten", date(2026, 7, 1))

    services.utility_next_action_set(utility=utility, action="", due=None, actor=staff_user, door=Door.API)
    stored.refresh_from_db()
    assert (stored.next_action, stored.next_action_due, utility.next_action) == ("", None, "")


@pytest.mark.parametrize(
    ("action", "due", "field"),
    [("Demo anbieten", None, "next_action_due"), ("", date(2026, 7, 1), "next_action"), ("x" * 201, date.max, None)],
)
def test_a_next_action_needs_both_text_and_date_and_fits(action, due, field):
    utility = UtilityFactory(next_action="alt", next_action_due=date(2026, 1, 1))
    with pytest.raises(DomainError) as refused:
        services.utility_next_action_set(utility=utility, action=action, due=due, actor=None, door=Door.ADMIN)
    assert refused.value.field == (field or "next_action")
    stored = Utility.objects.get(pk=utility.pk)
    assert (stored.next_action, stored.next_action_due) == ("alt", date(2026, 1, 1))


def test_a_too_long_next_action_says_the_limit():
    with pytest.raises(DomainError) as refused:
        services.utility_next_action_set(
            utility=UtilityFactory(), action="x" * 201, due=date(2026, 7, 1), actor=None, door=Door.ADMIN
        )
    assert refused.value.message == "Der nächste Schritt darf höchstens 200 Zeichen lang sein."


# -- scores --------------------------------------------------------------------------------------------------


def scored_utility(**fields):
    utility = UtilityFactory(smart_meter_share=Decimal("0.600"), **fields)
    # 20'000 inhabitants, 130'000 MWh roof potential, 30'000 kWp installed: half of each reference.
    for bfs in (101, 102, 103, 104):
        utility.municipalities.add(
            MarketMunicipalityFactory(
                bfs_number=bfs,
                population=5000,
                roof_potential_mwh=Decimal("32500.0"),
                installed_pv_kwp=Decimal("7500.0"),
            )
        )
    return utility


def test_rescore_stores_the_score_its_breakdown_and_when():
    utility = scored_utility()
    services.utility_rescore(utility=utility)

    stored = Utility.objects.get(pk=utility.pk)
    assert stored.score == utility.score == 64  # 15 + 15 + 25 + 9
    assert {name: part["points"] for name, part in stored.score_breakdown["parts"].items()} == {
        "population": 15.0,
        "solar": 15.0,
        "competition": 25.0,
        "smart_meters": 9.0,
    }
    assert stored.score_breakdown["total"] == 64
    assert stored.scored_at == utility.scored_at is not None


def test_rescore_reads_the_stored_data_not_the_object():
    utility = scored_utility()
    Utility.objects.filter(pk=utility.pk).update(competitor="Swibi")
    services.utility_rescore(utility=utility)
    assert utility.score == 39


def test_rescore_follows_the_weights_in_the_settings(settings):
    settings.PIPELINE_SCORE_WEIGHTS = {"population": 100, "solar": 0, "competition": 0, "smart_meters": 0}
    utility = scored_utility()
    services.utility_rescore(utility=utility)
    assert utility.score == 50


def test_rescore_of_many_gives_the_same_scores_in_a_fixed_number_of_queries(django_assert_num_queries):
    first = scored_utility(competitor="eigenes Angebot")
    second = UtilityFactory()
    third = UtilityFactory(stage=Stage.LOST)
    with django_assert_num_queries(4):  # read with totals, then one update inside a savepoint
        assert services.utilities_rescore(Utility.objects.exclude(pk=third.pk)) == 2

    scores = dict(Utility.objects.values_list("pk", "score"))
    assert scores == {first.pk: 39, second.pk: 33, third.pk: None}
    services.utility_rescore(utility=first)
    assert Utility.objects.get(pk=first.pk).score == 39


# -- outreach and lookups ------------------------------------------------------------------------------------


def test_a_draft_is_stored_for_review_with_its_facts(staff_user):
    utility = scored_utility(name="Werke am See AG")
    draft = services.outreach_draft_create(utility=utility, actor=staff_user, door=Door.ADMIN)

    assert (draft.status, draft.template, draft.created_by, draft.door) == (
        "draft",
        "first_contact",
        staff_user,
        "admin",
    )
    assert draft.subject == "Lokale Elektrizitätsgemeinschaften (LEG) bei Werke am See AG"
    assert draft.facts["utility"] == "Werke am See AG"
    assert len(draft.facts["municipalities"]) == 4
    assert OutreachDraft.objects.filter(utility=utility).count() == 1


def test_an_unknown_template_is_refused():
    with pytest.raises(DomainError) as refused:
        services.outreach_draft_create(utility=UtilityFactory(), actor=None, door=Door.TASK, template="mahnung")
    assert refused.value.message == "Die Vorlage «mahnung» gibt es nicht."
    assert OutreachDraft.objects.count() == 0


def test_utility_get_finds_the_utility_or_says_it_does_not_exist():
    utility = UtilityFactory()
    assert services.utility_get(pk=utility.pk) == utility
    for pk in (utility.pk + 1000, "abc"):
        with pytest.raises(NotFound) as missing:
            services.utility_get(pk=pk)
        assert missing.value.message == f"Es gibt keinen Netzbetreiber mit der Nummer {pk}."
        assert missing.value.code == "not_found"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_of_the_same_stage_leave_one_event():
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    utility = UtilityFactory()
    barrier = Barrier(2)

    def attempt(_):
        stale = Utility.objects.get(pk=utility.pk)
        barrier.wait()
        try:
            move(stale, S.CONTACTED)
            return "moved"
        except StageChangeRefused:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(attempt, range(2)))
    assert outcomes == ["moved", "refused"]
    assert PipelineEvent.objects.filter(utility=utility).count() == 1


def test_a_move_made_earlier_is_recorded_at_its_moment_and_keeps_the_history_in_order(staff_user):
    utility = UtilityFactory()
    contacted = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    event = services.utility_stage_move(
        utility=utility, to_stage=S.CONTACTED, actor=None, door=Door.COMMAND, at=contacted
    )
    assert (event.at, Utility.objects.get(pk=utility.pk).stage_changed_at) == (contacted, contacted)

    with pytest.raises(DomainError) as refused:
        services.utility_stage_move(
            utility=utility, to_stage=S.DEMO, actor=None, door=Door.COMMAND, at=contacted - timedelta(days=1)
        )
    assert refused.value.message == (
        "Der Zeitpunkt 03.03.2025 10:00 liegt vor dem letzten Schritt vom 04.03.2025 10:00."
    )
    assert Utility.objects.get(pk=utility.pk).stage == S.CONTACTED
    assert PipelineEvent.objects.filter(utility=utility).count() == 1


def test_setting_and_clearing_the_next_action_is_logged_in_german_with_who_or_the_door(caplog):
    from tests.accounts.factories import StaffUserFactory

    utility = UtilityFactory(name="EW Reussfeld")
    with caplog.at_level("INFO", logger="pipeline.services"):
        services.utility_next_action_set(
            utility=utility, action="Offerte senden", due=date(2026, 12, 1), actor=None, door=Door.COMMAND
        )
        services.utility_next_action_set(
            utility=utility, action="", due=None, actor=StaffUserFactory(username="p.muster"), door=Door.ADMIN
        )
    assert [r.getMessage() for r in caplog.records if r.name == "pipeline.services"] == [
        "Nächster Schritt für «EW Reussfeld» gesetzt über den Zugang «Befehl», ohne angemeldete Person: "
        "«Offerte senden», fällig am 01.12.2026.",
        "Nächster Schritt für «EW Reussfeld» gelöscht durch p.muster über den Zugang «Administration».",
    ]
