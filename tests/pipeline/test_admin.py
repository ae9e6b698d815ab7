import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats

from openleg.periods import local_today, utc_now
from pipeline import services
from pipeline.models import OutreachDraft, PipelineEvent, Utility
from tests.accounts.factories import StaffUserFactory, UtilityUserFactory
from tests.pipeline.factories import MunicipalityFactory, UtilityFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/pipeline/utility/"


def text(response) -> str:
    return response.content.decode()


def row_of(page: str, name: str) -> list[str]:
    """The cells of the changelist row that links to ``name``, tags stripped."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        cells = [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        if name in cells:
            return cells
    raise AssertionError(f"no row for {name!r}")


def listed(page: str) -> list[str]:
    return re.findall(r'<th class="field-name"><a href="[^"]+">([^<]+)</a>', page)


def page_of(utility) -> str:
    return reverse("admin:pipeline_utility_change", args=[utility.pk])


@pytest.fixture
def bergli():
    """A scored lead serving one municipality with market figures."""
    municipality = MunicipalityFactory(
        bfs_number=4001,
        name="Bergli",
        population=12000,
        installed_pv_kwp=Decimal("4000.0"),
        roof_potential_mwh=Decimal("30000.0"),
        market_data_source="BFS 2025",
    )
    utility = UtilityFactory(name="Werke Bergli AG", short_name="WBA", vnb_number="123456", canton="BE")
    utility.municipalities.add(municipality)
    return services.utility_rescore(utility=utility)


# -- the list -------------------------------------------------------------------------------------------------------


def test_the_list_shows_stage_score_owner_next_action_and_the_overdue_flag(staff):
    owner = StaffUserFactory(username="anna")
    today = local_today()
    UtilityFactory(
        name="Alpha",
        stage="contacted",
        score=72,
        owner=owner,
        next_action="Nachfassen",
        next_action_due=today - timedelta(days=1),
    )
    UtilityFactory(name="Beta", next_action="Anrufen", next_action_due=today)

    page = text(staff.get(CHANGELIST))

    yesterday = formats.date_format(today - timedelta(days=1))
    assert row_of(page, "Alpha")[1:8] == ["Alpha", "Zürich", "kontaktiert", "72", "anna", "Nachfassen", yesterday]
    assert 'alt="True"' in row_of_html(page, "Alpha") and 'alt="False"' in row_of_html(page, "Beta")
    assert listed(page) == ["Alpha", "Beta"]  # best score first, unscored last


def row_of_html(page: str, name: str) -> str:
    return next(row for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S) if f">{name}</a>" in row)


def test_the_list_costs_the_same_queries_for_two_or_twelve_utilities(staff):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(CHANGELIST).status_code == 200
        return len(captured)

    owner = StaffUserFactory()
    UtilityFactory.create_batch(2, owner=owner, next_action="x", next_action_due=date(2026, 1, 1))
    few = queries()
    UtilityFactory.create_batch(10, owner=StaffUserFactory(), next_action="y", next_action_due=date(2026, 1, 2))
    assert queries() == few


@pytest.fixture
def spread():
    today = local_today()
    owner = StaffUserFactory(username="anna")
    UtilityFactory(name="Low", score=12, canton="BE")
    UtilityFactory(name="Middle", score=40, owner=owner, next_action="a", next_action_due=today - timedelta(days=3))
    UtilityFactory(name="High", score=70, stage="demo", next_action="b", next_action_due=today)
    UtilityFactory(name="Unscored")
    return owner


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"score_band": "0-39"}, ["Low"]),
        ({"score_band": "40-69"}, ["Middle"]),
        ({"score_band": "70-100"}, ["High"]),
        ({"score_band": "none"}, ["Unscored"]),
        ({"overdue": "yes"}, ["Middle"]),
        ({"overdue": "no"}, ["High", "Low", "Unscored"]),
        ({"stage__exact": "demo"}, ["High"]),
        ({"canton__exact": "BE"}, ["Low"]),
    ],
)
def test_filters(staff, spread, query, names):
    assert listed(text(staff.get(CHANGELIST, query))) == names


def test_filter_by_owner(staff, spread):
    assert listed(text(staff.get(CHANGELIST, {"owner__id__exact": spread.pk}))) == ["Middle"]


def test_search_by_municipality_vnb_number_and_short_name(staff, bergli):
    UtilityFactory(name="Andere AG")
    for term in ("Bergli", "123456", "WBA"):
        assert listed(text(staff.get(CHANGELIST, {"q": term}))) == ["Werke Bergli AG"]


# -- actions ---------------------------------------------------------------------------------------------------------


def test_move_stage_asks_for_the_stage_and_a_note_first(staff):
    lead = UtilityFactory(name="Alpha")

    response = staff.post(CHANGELIST, {"action": "move_stage", "_selected_action": [lead.pk]})

    page = text(response)
    assert 'name="to_stage"' in page and 'name="note"' in page and 'name="apply"' in page
    assert "Alpha (Lead)" in page
    assert PipelineEvent.objects.count() == 0


def test_move_stage_moves_what_may_move_and_says_why_the_rest_stays(staff, staff_user):
    lead = UtilityFactory(name="Alpha")
    paid = UtilityFactory(name="Omega", stage="paid")

    response = staff.post(
        CHANGELIST,
        {
            "action": "move_stage",
            "_selected_action": [lead.pk, paid.pk],
            "apply": "1",
            "to_stage": "contacted",
            "note": "Messe",
        },
        follow=True,
    )

    page = text(response)
    assert "1 Netzbetreiber nach «kontaktiert» verschoben." in page
    assert "Omega: Von «zahlend» kann der Netzbetreiber nicht nach «kontaktiert» wechseln." in page
    event = PipelineEvent.objects.get()
    assert (event.utility, event.from_stage, event.to_stage, event.actor, event.door, event.summary) == (
        lead,
        "lead",
        "contacted",
        staff_user,
        "admin",
        "Messe",
    )
    assert Utility.objects.get(pk=paid.pk).stage == "paid"


def test_rescore_action_stores_score_and_breakdown(staff, bergli):
    Utility.objects.filter(pk=bergli.pk).update(score=None, score_breakdown={})

    response = staff.post(CHANGELIST, {"action": "rescore", "_selected_action": [bergli.pk]}, follow=True)

    assert "1 Netzbetreiber neu bewertet." in text(response)
    stored = Utility.objects.get(pk=bergli.pk)
    assert (stored.score, sorted(stored.score_breakdown["parts"])) == (
        bergli.score,
        ["competition", "population", "smart_meters", "solar"],
    )


def test_draft_outreach_action_stores_drafts_and_sends_nothing(staff, staff_user, bergli):
    response = staff.post(CHANGELIST, {"action": "draft_outreach", "_selected_action": [bergli.pk]}, follow=True)

    assert "1 Entwürfe erstellt; sie werden erst versandt, wenn jemand sie von Hand schickt." in text(response)
    draft = OutreachDraft.objects.get()
    assert (draft.utility, draft.status, draft.created_by, draft.door) == (bergli, "draft", staff_user, "admin")
    assert mail.outbox == []


# -- the utility's page ----------------------------------------------------------------------------------------------


def test_the_page_shows_market_figures_score_sentences_history_and_drafts(staff, staff_user, bergli):
    services.utility_stage_move(utility=bergli, to_stage="contacted", actor=staff_user, door="admin", note="Messe Bern")
    services.outreach_draft_create(utility=bergli, actor=staff_user, door="admin")

    page = text(staff.get(page_of(bergli)))

    assert "<td>Bergli</td><td>4001</td><td>12&#x27;000</td><td>4&#x27;000.0</td><td>30&#x27;000.0</td>" in page
    assert "<td>BFS 2025</td>" in page
    sentence = bergli.score_breakdown["parts"]["population"]["explanation"]
    assert sentence.replace("'", "&#x27;") in page
    assert "Messe Bern" in page
    assert 'name="outreach_drafts-0-status"' in page
    assert 'name="outreach_drafts-0-body"' not in page and "Lokale Elektrizitätsgemeinschaften" in page
    for name in ("stage", "contact", "next_action"):
        assert reverse(f"admin:pipeline_utility_{name}", args=[bergli.pk]) in page
    assert 'name="stage"' not in page and 'name="next_action"' not in page  # only through the services


def test_a_draft_is_marked_sent_by_hand(staff, staff_user, bergli):
    draft = services.outreach_draft_create(utility=bergli, actor=staff_user, door="admin")
    url = reverse("admin:pipeline_outreachdraft_change", args=[draft.pk])

    response = staff.post(url, {"status": "sent", "body": "geändert"})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "sent" and draft.body != "geändert"


def test_the_stage_page_offers_the_allowed_moves_and_records_one(staff, staff_user):
    utility = UtilityFactory(stage="demo")
    url = reverse("admin:pipeline_utility_stage", args=[utility.pk])

    page = text(staff.get(url))
    assert re.findall(r'<option value="(\w+)"', page) == ["trial", "contacted", "lost"]

    response = staff.post(url, {"to_stage": "trial", "note": "Vertrag für 3 Monate"})

    assert (response.status_code, response["Location"]) == (302, page_of(utility))
    assert Utility.objects.get(pk=utility.pk).stage == "trial"
    assert PipelineEvent.objects.get().summary == "Vertrag für 3 Monate"


def test_lost_without_a_reason_is_refused_and_nothing_changes(staff):
    utility = UtilityFactory(stage="contacted")

    response = staff.post(reverse("admin:pipeline_utility_stage", args=[utility.pk]), {"to_stage": "lost"})

    assert "Der Netzbetreiber kann nicht nach «verloren» wechseln: Bitte eine Begründung angeben." in text(response)
    assert Utility.objects.get(pk=utility.pk).stage == "contacted"
    assert PipelineEvent.objects.count() == 0


def test_a_contact_is_recorded_through_the_service(staff, staff_user):
    utility = UtilityFactory()

    response = staff.post(
        reverse("admin:pipeline_utility_contact", args=[utility.pk]),
        {"channel": "phone", "summary": "Interesse an Demo", "at": "2026-03-02T10:15"},
    )

    assert response.status_code == 302
    event = PipelineEvent.objects.get()
    assert (event.kind, event.channel, event.summary, event.actor, event.door) == (
        "contact",
        "phone",
        "Interesse an Demo",
        staff_user,
        "admin",
    )
    assert event.at.isoformat() == "2026-03-02T09:15:00+00:00"
    assert Utility.objects.get(pk=utility.pk).last_contact_at == event.at


def test_a_contact_in_the_future_is_refused(staff):
    utility = UtilityFactory()
    tomorrow = (utc_now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    response = staff.post(
        reverse("admin:pipeline_utility_contact", args=[utility.pk]),
        {"channel": "email", "summary": "x", "at": tomorrow},
    )

    assert "Ein Kontakt kann nicht in der Zukunft liegen." in text(response)
    assert PipelineEvent.objects.count() == 0


def test_the_next_action_is_set_and_needs_a_date(staff):
    utility = UtilityFactory()
    url = reverse("admin:pipeline_utility_next_action", args=[utility.pk])

    refused = staff.post(url, {"action": "Offerte schicken", "due": ""})
    assert "Ein nächster Schritt braucht ein Fälligkeitsdatum" in text(refused)
    assert Utility.objects.get(pk=utility.pk).next_action == ""

    assert staff.post(url, {"action": "Offerte schicken", "due": "2026-07-01"}).status_code == 302
    stored = Utility.objects.get(pk=utility.pk)
    assert (stored.next_action, stored.next_action_due) == ("Offerte schicken", date(2026, 7, 1))


# -- municipalities --------------------------------------------------------------------------------------------------


def test_municipality_list_shows_market_figures_and_an_edit_rescores(staff, bergli):
    page = text(staff.get(reverse("admin:pipeline_municipality_changelist")))
    assert row_of(page, "Bergli")[2:7] == ["Zürich", "4001", "12'000", "4'000.0", "30'000.0"]

    municipality = bergli.municipalities.get()
    response = staff.post(
        reverse("admin:pipeline_municipality_change", args=[municipality.pk]),
        {"bfs_number": 4001, "name": "Bergli", "canton": "ZH", "population": 60000, "installed_pv_kwp": "4000.0"}
        | {"roof_potential_mwh": "30000.0", "market_data_source": "BFS 2026"},
    )

    assert response.status_code == 302
    assert Utility.objects.get(pk=bergli.pk).score > bergli.score


# -- who may see it --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["changelist", "stage", "contact", "next_action", "change"])
def test_utility_users_never_see_the_console(client, name):
    user = UtilityUserFactory()
    client.force_login(user)
    args = [] if name == "changelist" else [user.utility.pk]

    response = client.get(reverse(f"admin:pipeline_utility_{name}", args=args))

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_without_change_rights_cannot_write(client):
    client.force_login(StaffUserFactory(is_superuser=False))
    utility = UtilityFactory()

    assert client.get(reverse("admin:pipeline_utility_contact", args=[utility.pk])).status_code == 403
    assert client.get(CHANGELIST).status_code == 403


def test_the_agents_revision_shows_what_it_revises_and_who_wrote_it(staff, staff_user, bergli):
    original = services.outreach_draft_create(utility=bergli, actor=staff_user, door="admin")
    revision = services.outreach_draft_revise(draft=original, body="Grüezi", actor=None, door="agent")

    page = text(staff.get(reverse("admin:pipeline_outreachdraft_change", args=[revision.pk])))
    listing = text(staff.get(reverse("admin:pipeline_outreachdraft_changelist") + "?written_by_agent__exact=1"))

    assert "Überarbeitet aus" in page and "Vom KI-Agenten geschrieben" in page
    assert reverse("admin:pipeline_outreachdraft_change", args=[original.pk]) in page
    assert listing.count(reverse("admin:pipeline_outreachdraft_change", args=[revision.pk])) == 1
    assert reverse("admin:pipeline_outreachdraft_change", args=[original.pk]) not in listing
