"""Django's own display of numbers and dates follows openleg.formats (FORMAT_MODULE_PATH, USE_THOUSAND_SEPARATOR);
ids, years and codes in templates keep their digits (|unlocalize), so no link, form value or year breaks."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats

from tests.communities.factories import CommunityFactory
from tests.pipeline.factories import MunicipalityFactory

# {{ value }} expressions that are ids, years or codes must keep their digits in links, forms and text
CODE_NAMES = re.compile(r"(^|\.)(pk|id|year|bfs_number|\w+_id)$")
STRING_IDS = {"mp_id", "end_to_end_id", "message_id"}  # text fields, never localized
VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*((?:\|[^}]*)?)\}\}")
WITH_VALUE = re.compile(r"(\w+)=([\w.]+)((?:\|\S+)?)")


def template_files():
    roots = [settings.BASE_DIR / "templates", *settings.BASE_DIR.glob("*/templates")]
    return sorted(path for root in roots for path in Path(root).rglob("*.html"))


def unguarded_codes(source: str) -> list[str]:
    found = []
    expressions = [(m[1], m[2]) for m in VARIABLE.finditer(source)]
    for tag in re.findall(r"\{%\s*blocktrans(?:late)?\s+with\s+([^%]*)%\}", source):
        expressions += [(m[2], m[3]) for m in WITH_VALUE.finditer(tag)]
    for name, filters in expressions:
        guarded = re.search(r"\|(unlocalize|stringformat)", filters)
        if CODE_NAMES.search(name) and name.rsplit(".", 1)[-1] not in STRING_IDS and not guarded:
            found.append(name + filters)
    return found


def test_the_guard_finds_a_localized_id_and_accepts_unlocalize():
    assert unguarded_codes('<a href="?community={{ run.community_id }}">{{ run.year }}</a>') == [
        "run.community_id",
        "run.year",
    ]
    guarded = "{{ run.community_id|unlocalize }} {{ point.mp_id }} {{ run.month|stringformat:'02d' }}"
    assert unguarded_codes(guarded) == []


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_no_template_puts_a_thousands_separator_into_an_id_year_or_code(path):
    assert unguarded_codes(path.read_text()) == []


def test_django_displays_numbers_and_dates_the_swiss_way():
    assert formats.localize(Decimal("3613.200")) == "3'613.200"
    assert formats.localize(Decimal("-1234.5")) == "-1'234.5"
    assert formats.localize(14698385) == "14'698'385"
    assert formats.localize(date(2026, 12, 7)) == "07.12.2026"
    rendered = Template("{{ moment }} · {{ day }} · {{ moment|date:'SHORT_DATETIME_FORMAT' }}").render(
        Context({"moment": datetime(2026, 12, 7, 13, 5, tzinfo=UTC), "day": date(2026, 7, 1)})
    )
    assert rendered == "07.12.2026 14:05 · 01.07.2026 · 07.12.2026 14:05"


def test_unlocalize_keeps_ids_and_years_whole():
    rendered = Template("?community={{ pk|unlocalize }}&period={{ year|unlocalize }} {{ count }}").render(
        Context({"pk": 12345, "year": 2026, "count": 12345})
    )
    assert rendered == "?community=12345&period=2026 12&#x27;345"


@pytest.mark.django_db
def test_admin_changelist_shows_figures_grouped_and_codes_whole(staff):
    MunicipalityFactory(bfs_number=4001, name="Aarau", population=21036)
    page = staff.get(reverse("admin:pipeline_municipality_changelist")).content.decode().replace("&#x27;", "'")
    assert '<td class="field-bfs">4001</td>' in page
    assert '<td class="field-population_display">21\'036</td>' in page


@pytest.mark.django_db
def test_a_community_with_a_four_digit_id_links_its_runs_with_the_whole_id(staff):
    community = CommunityFactory(pk=12345)
    page = staff.get(reverse("admin:communities_community_change", args=[community.pk])).content.decode()
    assert "?community=12345" in page
    assert "12&#x27;345" not in page and "12'345" not in page


@pytest.mark.django_db
def test_the_year_filter_of_billing_runs_shows_the_year_as_written(staff):
    from billing.models import BillingRun
    from openleg.periods import local_month

    period = local_month(2026, 6)
    BillingRun.objects.create(
        community=CommunityFactory(),
        year=2026,
        month=6,
        period_start=period.start,
        period_end=period.end,
        quarter_hours=2880,
        method="proportional",
    )
    page = staff.get(reverse("admin:billing_billingrun_changelist")).content.decode()
    assert 'href="?year=2026">2026</a>' in page
    assert "2&#x27;026" not in page
