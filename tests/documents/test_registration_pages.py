"""The VNB registration of a large community, read back page by page: the table header on every page of the
table, no participant's row cut by a page break, the total once, after the last participant."""

from decimal import Decimal

import pytest

from documents.leg_documents import basis_of, registration_draft
from documents.pdf import html_to_pdf
from tests.communities.factories import CommunityFactory, MembershipFactory, ParticipantFactory
from tests.documents.pdftext import pdf_pages, squeezed

pytestmark = pytest.mark.django_db

HEADER = squeezed("Teilnehmende Messpunkt Anschlussleistung kW Erneuerbare Leistung kWp")
COMPANY = "Genossenschaft für gemeinschaftliches Wohnen und Arbeiten am Sonnenhang Nr. {n}"


def forty_participants():
    """40 participants and their representative (without points); every fifth a producing company with a long
    name and three points of 10 kWp, the others one point each."""
    community = CommunityFactory(name="LEG Grosse Matte")
    participants = []
    for n in range(1, 41):
        if n % 5 == 0:
            participant = ParticipantFactory(
                community=community, kind="company", company_name=COMPANY.format(n=n), role="prosumer"
            )
            points, kwp = 3, Decimal("10.000")
        else:
            participant = ParticipantFactory(community=community, first_name="Person", last_name=f"Nummer{n:02d}")
            points, kwp = 1, Decimal("0.000")
        for _ in range(points):
            MembershipFactory(participant=participant, metering_point__installed_capacity_kwp=kwp)
        participants.append(participant)
    community.representative = ParticipantFactory(community=community, first_name="Vera", last_name="Vertretung")
    community.save()
    return community, participants


def test_a_registration_of_forty_participants_keeps_rows_whole_and_totals_once_at_the_end():
    community, participants = forty_participants()
    pages = [squeezed(page) for page in pdf_pages(html_to_pdf(registration_draft(basis_of(community)).html))]

    table_pages = [i for i, page in enumerate(pages) if any(squeezed(p.display_name) in page for p in participants)]
    assert len(table_pages) >= 2
    assert table_pages == list(range(table_pages[0], table_pages[-1] + 1))
    for i in table_pages:
        assert pages[i].count(HEADER) == 1, f"page {i + 1} lacks the table header"

    for participant in participants:
        name = squeezed(participant.display_name)
        holding = [i for i, page in enumerate(pages) if name in page]
        assert len(holding) == 1, f"{participant.display_name} on pages {holding}"
        row = pages[holding[0]][pages[holding[0]].index(name) :]
        for membership in participant.memberships.all():
            assert membership.metering_point.mp_id in row, f"{participant.display_name}: row cut by a page break"

    assert "".join(pages).count(squeezed("Summe")) == 1
    last = pages[table_pages[-1]]
    last_name = squeezed(participants[-1].display_name)
    assert squeezed("Summe 1'400 240") in last
    assert last.index(squeezed("Summe")) > last.index(last_name)
