"""The demo tells one story: the portal's utility is a paying customer, the market spreads over every stage of
the pipeline, every active community was formed and signed before it started, and load_demo says so in German."""

import re
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command

from accounts.models import User
from communities.models import Community, FormationStep
from documents.models import Document, DocumentKind, PaperSignature, SignatureState
from openleg.periods import local_date, local_today, utc_now
from pipeline.dashboard import dashboard_figures
from pipeline.models import PipelineEvent, Stage, Utility

pytestmark = pytest.mark.django_db

FORMATION_PATH = [
    "participants_complete",
    "eligible",
    "documents_ready",
    "out_for_signature",
    "signed",
    "registered",
    "active",
]
ENGLISH = (
    "run",
    "deviations",
    "blocking",
    "issues",
    "meter",
    "data",
    "billing",
    "documents",
    "login",
    "rows",
    "utilities",
    "scored",
    "market",
    "applied",
    "unchanged",
    "series",
    "split",
    "communities",
    "participants",
    "metering",
    "points",
    "loaded",
    "through",
    "by",
    "via",
    "set",
    "due",
    "import",
    "next",
    "action",
)


@pytest.fixture
def loaded(caplog):
    outputs = []
    with caplog.at_level("INFO"):
        for _ in range(2):
            out, err = StringIO(), StringIO()
            call_command("load_demo", stdout=out, stderr=err)
            outputs.append((out.getvalue(), err.getvalue()))
    return outputs, [record.getMessage() for record in caplog.records]


def test_the_portal_utility_is_a_paying_customer_since_before_its_communities_were_formed(loaded):
    customer = User.objects.get(username="vnb").utility
    assert (customer.short_name, customer.stage, customer.score) == ("EWS-DEMO", "paid", 56)
    assert set(customer.score_breakdown) == {"total", "parts"}
    moves = list(customer.pipeline_events.filter(kind="stage").order_by("at"))
    assert [(event.from_stage, event.to_stage) for event in moves] == [
        ("lead", "contacted"),
        ("contacted", "demo"),
        ("demo", "trial"),
        ("trial", "paid"),
    ]
    assert [local_date(event.at).isoformat() for event in moves] == [
        "2024-10-15",
        "2024-11-24",
        "2025-01-13",
        "2025-04-03",
    ]
    assert customer.stage_changed_at == moves[-1].at
    assert customer.created_at < moves[0].at
    assert customer.pipeline_events.filter(kind="contact").count() == 3
    first_formation = FormationStep.objects.filter(community__utility=customer).order_by("at").first()
    assert moves[-1].at < first_formation.at


def test_the_market_spreads_over_every_stage_and_the_dashboard_has_figures(loaded):
    counts = {stage: Utility.objects.filter(stage=stage).count() for stage in Stage.values}
    assert counts == {
        "lead": 15,
        "contacted": 4,
        "demo": 3,
        "trial": 2,
        "paid": 3,
        "churned": 1,
        "lost": 3,
        # 31 in all: EWS-DEMO and the 30 of the market file
    }
    figures = dashboard_figures(today=local_today())
    assert [(row["from_stage"], row["reached"], row["reached_next"]) for row in figures["conversion"]] == [
        ("lead", 31, 17),
        ("contacted", 17, 12),
        ("demo", 12, 7),
        ("trial", 7, 4),
    ]
    assert all(row["days"] is not None and row["days"] > 0 for row in figures["median_days"])
    assert [row["name"] for row in figures["overdue"]] == [
        "Elektrizitätswerk Aabach (Demo)",
        "Stadtwerk Thurbrugg (Demo)",
        "Elektra Bünzmatt (Demo)",
    ]
    assert {row["owner"] for row in figures["overdue"]} == {"admin"}
    assert len(figures["untouched_leads"]) == 10
    assert "Regionalwerke Fricktal-West (Demo)" not in [row["name"] for row in figures["untouched_leads"]]
    # whoever was worked was first contacted, by the demo's staff user
    worked = Utility.objects.filter(pipeline_events__kind="stage").distinct()
    assert worked.count() == 17
    for utility in worked:
        first_move = utility.pipeline_events.filter(kind="stage").order_by("at").first().at
        assert utility.pipeline_events.filter(kind="contact", at__lte=first_move).exists(), utility
        assert utility.owner.username == "admin"
    # every event lies in the past, each utility's in order and after the utility was recorded
    for utility in Utility.objects.all():
        moments = list(utility.pipeline_events.filter(kind="stage").order_by("pk").values_list("at", flat=True))
        assert moments == sorted(moments)
        assert all(utility.created_at < moment for moment in moments)
    assert not PipelineEvent.objects.filter(at__gt=utc_now()).exists()


def test_every_active_community_was_formed_step_by_step_with_signed_documents_before_it_started(loaded):
    active = list(Community.objects.filter(status="active").order_by("pk"))
    assert [community.slug for community in active] == ["sonnenberg-dorf", "talwil-gewerbe"]
    for community in active:
        steps = list(community.formation_steps.order_by("at", "pk"))
        assert [step.to_status for step in steps] == FORMATION_PATH
        assert [step.from_status for step in steps] == ["draft", *FORMATION_PATH[:-1]]
        assert all(earlier.at < later.at for earlier, later in pairwise(steps))
        by_status = {step.to_status: local_date(step.at) for step in steps}
        assert by_status["registered"] == community.registered_on
        assert by_status["active"] == community.start_date
        documents = Document.objects.filter(community=community)
        kinds = sorted(documents.values_list("kind", flat=True))
        assert kinds == ["agreement"] + ["contract"] * community.participants.count() + ["registration"]
        assert set(documents.values_list("signature_state", flat=True)) == {SignatureState.SIGNED}
        assert {document.version for document in documents} == {1}
        for document in documents:
            paper = PaperSignature.objects.get(document=document)
            made = local_date(document.created_at)
            assert by_status["eligible"] < made <= by_status["documents_ready"]
            assert made <= paper.signed_on <= by_status["signed"]
        agreement = documents.get(kind=DocumentKind.AGREEMENT).paper_signature
        assert agreement.signed_on == by_status["out_for_signature"]
    rebhalde = Community.objects.get(slug="rebhalde")
    assert (rebhalde.status, rebhalde.formation_steps.count(), rebhalde.documents.count()) == ("draft", 0, 0)


def test_load_demo_speaks_german_and_prints_no_raw_values(loaded):
    outputs, logged = loaded
    (first, first_err), (again, again_err) = outputs
    assert first.splitlines()[0] == "Demo geladen: 3 Gemeinschaften, 27 Teilnehmende, 27 Messpunkte."
    assert "  Messdaten DEMO-sonnenberg-dorf-202603_E66.xml: übernommen, 15 Reihen" in first.splitlines()
    assert "  Verkaufspipeline: 18 Netzbetreiber mit Verlauf" in first.splitlines()
    assert "  Verkaufspipeline: der Verlauf war schon geladen" in again.splitlines()
    assert (
        "  Gründung LEG Sonnenberg Dorf: 7 Schritte vom 02.06.2025 bis zum Start am 01.01.2026, "
        "14 Dokumente auf Papier unterzeichnet"
    ) in first.splitlines()
    assert "Gründung" not in again
    assert re.search(
        r"^  Abrechnung LEG Sonnenberg Dorf 03/2026: Lauf \d+ Entwurf, 2 Abweichungen, 0 blockierende Probleme$",
        first,
        re.MULTILINE,
    )
    assert "  Messdaten DEMO-sonnenberg-dorf-202603_E66.xml: bereits importiert" in again.splitlines()
    assert "  Aufteilung des VNB DEMO-LEG-sonnenberg-dorf-202603_E66.xml: bereits importiert" in again.splitlines()
    assert (first_err, again_err) == ("", "")
    for text in [first, again, *logged]:
        words = set(re.findall(r"[A-Za-zÄÖÜäöüé]+", text.replace("manage.py demo_bank_file SLUG --out", "")))
        assert not words & set(ENGLISH), text
        assert "{" not in text and "None" not in text, text
