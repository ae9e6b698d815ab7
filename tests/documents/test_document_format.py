import pytest
from django.template import Context, Template

from communities.models import Participant
from pipeline.models import Utility


def render(source: str, **context) -> str:
    return Template("{% load document_format %}" + source).render(Context(context))


def test_lines_joins_escaped_values_with_newlines_for_a_pre_line_block():
    assert render("{{ values|lines }}", values=["CH93 0076", '<b>Müller & "Söhne"</b>', "8000 Zürich"]) == (
        "CH93 0076\n&lt;b&gt;Müller &amp; &quot;Söhne&quot;&lt;/b&gt;\n8000 Zürich"
    )


def test_lines_keeps_each_value_on_one_line_and_drops_empty_ones():
    values = ["Weiherweg\n7", "", "  8002   Zürich \r\n"]
    assert render("{{ values|lines }}", values=values) == "Weiherweg 7\n8002 Zürich"


@pytest.mark.parametrize(
    ("party", "html"),
    [
        (
            Participant(
                first_name="Beat",
                last_name="Brunner",
                street="Dorfstrasse",
                house_number="3",
                postcode="3000",
                town="Bern",
            ),
            'Beat Brunner, <span class="nowrap">Dorfstrasse 3</span>, <span class="nowrap">3000 Bern</span>.',
        ),
        (  # no house number: no gap before the comma; the name escaped
            Participant(
                kind="company", company_name="Hof <Matte> & Co", street="Mattenhof", postcode="3000", town="Bern"
            ),
            'Hof &lt;Matte&gt; &amp; Co, <span class="nowrap">Mattenhof</span>, <span class="nowrap">3000 Bern</span>.',
        ),
        (  # a foreign town carries its country
            Utility(
                name="Netz AG", street="Hauptstrasse", house_number="1", postcode="79539", town="Lörrach", country="DE"
            ),
            'Netz AG, <span class="nowrap">Hauptstrasse 1</span>, <span class="nowrap">DE-79539 Lörrach</span>.',
        ),
    ],
    ids=["person", "without-number", "foreign"],
)
def test_party_puts_name_street_and_town_in_one_line_with_commas_only_between_parts(party, html):
    assert render("{{ p|party }}.", p=party) == html


def test_street_numbers_in_free_text_stay_with_their_street():
    assert render("{{ site|street_numbers }}", site="Dorfstrasse 3, Sonnenberg & <Au>") == (
        '<span class="nowrap">Dorfstrasse 3</span>, Sonnenberg &amp; &lt;Au&gt;'
    )
    assert render("{{ site|street_numbers }}", site="Scheune Nord") == "Scheune Nord"
