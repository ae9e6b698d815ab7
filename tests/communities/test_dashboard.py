"""The portal dashboard at /utility/: the utility's communities, the last closed month, the to-do list and the
twelve-month chart, on fixed runs; never another utility's figures; a fixed number of queries."""

import re
from datetime import date

import pytest
from django.urls import reverse

from billing.models import BillingRun
from communities.dashboard import Month, last_closed_month, utility_dashboard
from documents.models import Document
from openleg.periods import local_month
from tests.accounts.factories import UtilityUserFactory
from tests.communities.factories import CommunityFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 7, 15)  # the last closed month is June 2026


def run(community, year, month, *, status="draft", consumption=0, leg=0, **fields):
    period = local_month(year, month)
    return BillingRun.objects.create(
        community=community,
        year=year,
        month=month,
        period_start=period.start,
        period_end=period.end,
        quarter_hours=period.quarter_hours,
        method="proportional",
        status=status,
        totals={"wh": {"consumption": consumption, "leg": leg}, "chf": {}},
        **fields,
    )


def document(community, signature_state):
    return Document.objects.create(
        community=community,
        kind="agreement",
        version=Document.objects.filter(community=community).count() + 1,
        title="Vereinbarung",
        file="documents/x.pdf",
        sha256="0" * 64,
        size_bytes=1,
        source_sha256="0" * 64,
        door="admin",
        signature_state=signature_state,
    )


@pytest.fixture
def desk():
    """Three communities of one utility and one of another, with runs of June, May and a cancelled April."""
    alpha = CommunityFactory(name="LEG Alpha", status="active", start_date=date(2026, 1, 1))
    utility = alpha.utility
    beta = CommunityFactory(name="LEG Beta", utility=utility, status="eligible")
    gamma = CommunityFactory(name="LEG Gamma", utility=utility, status="active", start_date=date(2026, 1, 1))
    foreign = CommunityFactory(name="LEG Fremd", status="active", start_date=date(2026, 1, 1))
    for community, count in ((alpha, 3), (beta, 2), (foreign, 4)):
        ParticipantFactory.create_batch(count, community=community)
    missing = {"code": "missing_data", "message": "Werte fehlen", "blocking": True, "participant": None}
    run(alpha, 2026, 6, consumption=2_000_000, leg=750_000, deviations=2, blocking_issues=1, issues=[missing])
    run(alpha, 2026, 5, status="issued", consumption=1_000_000, leg=250_000)
    run(alpha, 2026, 4, status="cancelled", consumption=9_000_000, leg=9_000_000)
    run(alpha, 2026, 3, consumption=0, leg=0)
    run(gamma, 2026, 5, status="approved", consumption=500_500, leg=100_100)
    run(gamma, 2025, 6, consumption=1, leg=1)  # a draft older than twelve months
    run(foreign, 2026, 6, consumption=7_000_000, leg=7_000_000, deviations=9)
    document(beta, "out_for_signature")
    document(beta, "out_for_signature")
    document(alpha, "signed")
    document(foreign, "out_for_signature")
    user = UtilityUserFactory(utility=utility)
    return user, alpha, beta, gamma, foreign


def test_the_last_closed_month_is_the_month_before_today():
    assert last_closed_month(date(2026, 7, 15)) == Month(2026, 6)
    assert last_closed_month(date(2026, 1, 1)) == Month(2025, 12)


def test_rows_show_the_last_closed_months_run_and_its_leg_share(desk):
    user, *_ = desk
    dashboard = utility_dashboard(user=user, today=TODAY)
    assert dashboard.month.label == "06.2026"
    assert [row.community.name for row in dashboard.rows] == ["LEG Alpha", "LEG Beta", "LEG Gamma"]
    first, second, third = dashboard.rows
    assert first.community.participant_count == 3
    assert (first.run.status, first.run.deviations, first.run.blocking_issues) == ("draft", 2, 1)
    assert first.leg_share_percent == 375 / 10
    assert first.next_step == ""
    assert second.run is None and second.leg_share_percent is None
    assert second.next_step == "Dokumente bereit"
    assert third.run is None  # May's run is not June's


def test_the_to_do_list(desk):
    user, *_ = desk
    todos = [(todo.community.name, todo.kind, todo.text) for todo in utility_dashboard(user=user, today=TODAY).todos]
    assert todos == [
        ("LEG Alpha", "missing_data", "Messdaten für 06.2026 fehlen: 1 Hinweis."),
        ("LEG Alpha", "approval", "Die Abrechnung 03.2026 wartet auf Freigabe."),
        ("LEG Alpha", "approval", "Die Abrechnung 06.2026 wartet auf Freigabe."),
        ("LEG Beta", "signatures", "2 Dokumente warten auf Unterschriften."),
        ("LEG Beta", "formation", "Gründung: nächster Schritt «Dokumente bereit»."),
        ("LEG Gamma", "missing_data", "Für 06.2026 ist noch keine Abrechnung berechnet."),
    ]


def test_a_community_started_after_the_month_owes_no_run(desk):
    user, _alpha, _beta, gamma, _foreign = desk
    gamma.start_date = date(2026, 7, 1)
    gamma.save()
    kinds = [(t.community.name, t.kind) for t in utility_dashboard(user=user, today=TODAY).todos]
    assert ("LEG Gamma", "missing_data") not in kinds


def test_twelve_months_of_shared_energy_without_cancelled_runs_or_other_utilities(desk):
    user, *_ = desk
    months = utility_dashboard(user=user, today=TODAY).months
    assert [m.month.label for m in months][:2] == ["07.2025", "08.2025"]
    assert len(months) == 12 and months[-1].month.label == "06.2026"
    figures = {m.month.label: (m.consumption_wh, m.leg_wh, m.leg_share_percent) for m in months}
    assert figures["06.2026"] == (2_000_000, 750_000, 375 / 10)
    assert figures["05.2026"][:2] == (1_500_500, 350_100)
    assert str(round(figures["05.2026"][2], 6)) == "23.332223"
    assert figures["04.2026"] == (0, 0, None)


def cells(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_shows_swiss_figures_and_the_chart(client, desk):
    user, alpha, *_ = desk
    client.force_login(user)
    html = client.get(reverse("portal:home")).content.decode()
    assert 'aria-label="LEG-Anteil und geteilte kWh der letzten zwölf Monate"' in html
    assert "<svg" in html and "<script" not in html
    assert f'href="{reverse("portal:community", args=[alpha.pk])}"' in html


def test_the_page_in_the_month_after_the_runs(client, desk, monkeypatch):
    user, *_ = desk
    monkeypatch.setattr("communities.views.local_today", lambda: TODAY)
    client.force_login(user)
    text = cells(client.get(reverse("portal:home")).content.decode())
    assert "Aktiv ab 01.01.2026 3 Entwurf 2 1 37.5 %" in text
    assert "Voraussetzungen erfüllt ab 01.04.2026 weiter: Dokumente bereit 2 kein Lauf – – –" in text
    assert "06.2026 2'000.000 750.000 37.5 %" in text
    assert "05.2026 1'500.500 350.100 23.3 %" in text
    assert "LEG Fremd" not in text and "7'000.000" not in text
    assert "Messdaten für 06.2026 fehlen: 1 Hinweis." in text
    assert "2 Dokumente warten auf Unterschriften." in text  # not the foreign one: not 3


def test_another_utilitys_user_sees_only_its_own(client, desk):
    *_, foreign = desk
    client.force_login(UtilityUserFactory(utility=foreign.utility))
    text = cells(client.get(reverse("portal:home")).content.decode())
    assert "LEG Fremd" in text
    assert "LEG Alpha" not in text and "LEG Beta" not in text and "750.000" not in text
    assert "1 Dokument wartet auf Unterschriften." in text


@pytest.mark.parametrize("participants", [1, 40])
def test_the_dashboard_takes_a_fixed_number_of_queries(client, django_assert_num_queries, participants):
    community = CommunityFactory(name="LEG Zahl", status="active", start_date=date(2026, 1, 1))
    ParticipantFactory.create_batch(participants, community=community)
    other = CommunityFactory(name="LEG Zwei", utility=community.utility, status="draft")
    ParticipantFactory.create_batch(participants, community=other)
    run(community, 2026, 6, consumption=1000, leg=500)
    document(other, "out_for_signature")
    client.force_login(UtilityUserFactory(utility=community.utility))
    with django_assert_num_queries(6):  # session, user and utility, communities, runs, documents, subscription banner
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200


def test_the_chart_draws_a_bar_and_a_point_per_computed_month(desk):
    from communities.dashboard_chart import leg_share_svg

    user, *_ = desk
    svg = leg_share_svg(utility_dashboard(user=user, today=TODAY).months, "Bild <LEG>")
    assert svg.count("<rect x=") == 2 + 1  # May and June, and the legend's swatch
    assert svg.count("<circle") == 2
    assert "<title>06.2026 geteilt: 750.000 kWh</title>" in svg
    assert "<title>06.2026 LEG-Anteil: 37.5 %</title>" in svg
    assert "<title>05.2026 LEG-Anteil: 23.3 %</title>" in svg
    assert 'aria-label="Bild &lt;LEG&gt;"' in svg


def test_the_chart_without_runs_says_so():
    from communities.dashboard import MonthEnergy
    from communities.dashboard_chart import leg_share_svg

    svg = leg_share_svg([MonthEnergy(Month(2026, 6), 0, 0)], "Bild")
    assert "Noch keine berechneten Monate." in svg and "<circle" not in svg


def test_the_portal_layout_on_a_community_page(client, desk):
    user, _alpha, beta, *_ = desk
    client.force_login(user)
    html = client.get(reverse("portal:community", args=[beta.pk])).content.decode()
    assert '<a class="skip-link" href="#inhalt">Zum Inhalt springen</a>' in html
    assert '<main id="inhalt" tabindex="-1">' in html
    assert f"OpenLEG <span>{beta.utility.name}</span>" in html
    assert "/static/portal/portal.css" in html
    assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []  # nothing from another host (no CDN)
    navigation = re.search(r'<nav class="portal-nav".*?</nav>', html, re.S).group(0)
    assert re.findall(r">(LEG [^<]+)</a>", navigation) == ["LEG Alpha", "LEG Beta", "LEG Gamma"]
    assert f'href="/utility/communities/{beta.pk}/" aria-current="page">LEG Beta' in navigation
    breadcrumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert re.findall(r">([^<>]+)</a>", breadcrumbs) == ["Übersicht", "LEG Beta"]


def test_messages_show_in_the_layout(rf, desk):
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    user, *_ = desk
    request = rf.get("/utility/")
    request.user = user
    messages = [Message(25, "Lauf freigegeben."), Message(40, "Nicht gespeichert.")]
    html = render_to_string("portal/base.html", {"messages": messages}, request=request)
    assert '<ul class="messages" role="status">' in html
    assert '<li class="message success">Lauf freigegeben.</li>' in html
    assert '<li class="message error">Nicht gespeichert.</li>' in html


def test_the_share_line_breaks_at_a_month_without_a_run():
    from communities.dashboard import MonthEnergy
    from communities.dashboard_chart import leg_share_svg

    months = [
        MonthEnergy(Month(2026, 3), 1000, 250),
        MonthEnergy(Month(2026, 4), 1000, 500),
        MonthEnergy(Month(2026, 5), 0, 0),
        MonthEnergy(Month(2026, 6), 1000, 750),
    ]
    svg = leg_share_svg(months, "Bild")
    assert svg.count("<polyline") == 1  # March to April; June stands alone
    assert svg.count("<circle") == 3
