"""An invoice PDF shows its figures in the Swiss rule of openleg.formats, read back from the PDF's text."""

import re
from decimal import Decimal

import pytest

from communities.models import Tariff, TariffWindow
from documents.invoice_pdf import invoice_html
from documents.pdf import html_to_pdf
from tests.billing.conftest import march_community  # noqa: F401  (five members, March 2026)
from tests.documents.pdftext import pdf_pages
from tests.documents.test_invoice_pdf import issue

pytestmark = pytest.mark.django_db


def test_an_invoice_above_a_thousand_francs_reads_the_swiss_way(march_community, staff_user):  # noqa: F811
    Tariff.objects.filter(community=march_community).update(consumer_price_rp_kwh=Decimal("222.1250"))
    TariffWindow.objects.filter(tariff__community=march_community).update(consumer_price_rp_kwh=Decimal("250.0000"))
    invoice = issue(march_community, staff_user)[0]
    html = invoice_html(invoice)
    lines = [line for page in pdf_pages(html_to_pdf(html)) for line in page.splitlines()]

    total = f"{invoice.total_chf:,.2f}".replace(",", "'")
    assert invoice.total_chf > 1000 and "'" in total
    assert "LEG-Strom Niedertarif 301.176 kWh 222.125 Rp./kWh 668.99" in lines
    assert "LEG-Strom Hochtarif 187.780 kWh 250.00 Rp./kWh 469.45" in lines
    assert f"Total {total}" in lines
    assert any(f"Bitte bezahlen Sie CHF {total} bis am" in line for line in lines)
    assert re.search(r"\d,\d{3}|\d\.\d{3}\.\d", "\n".join(lines)) is None  # no comma thousands, no 1.234.5
