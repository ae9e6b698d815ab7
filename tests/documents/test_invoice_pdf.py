import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from billing.models import Invoice, InvoiceKind, InvoiceLine
from billing.references import creditor_reference
from billing.services import billing_run_approve, billing_run_start
from communities.models import Participant
from documents.invoice_pdf import invoice_html
from documents.pdf import html_to_pdf
from tests.billing.conftest import march_community  # noqa: F401  (five members, March 2026)
from tests.documents.pdftext import pdf_pages, pdf_text, squeezed

pytestmark = pytest.mark.django_db

IBAN = "CH93 0076 2011 6238 5295 7"
MUELLER = '<b>Müller & "Söhne"</b>'
MM = 72 / 25.4  # PDF points per millimetre


def issue(community, staff_user, **changes) -> list[Invoice]:
    for name, value in {"name": "LEG Sonnenberg", "iban": IBAN, **changes}.items():
        setattr(community, name, value)
    community.save()
    Participant.objects.filter(community=community, customer_number="M1").update(
        kind="company", company_name=MUELLER, street="Weiherweg", house_number="7", postcode="8002"
    )
    run = billing_run_start(community=community, year=2026, month=3)
    billing_run_approve(run=run, actor=staff_user)
    return list(Invoice.objects.filter(run=run).order_by("number"))


@pytest.fixture
def issued(march_community, staff_user):  # noqa: F811
    return issue(march_community, staff_user)


def lines_of(pdf: bytes) -> list[str]:
    return [line for page in pdf_pages(pdf) for line in page.splitlines()]


def test_an_invoice_shows_parties_lines_totals_and_its_payment_part(issued):
    invoice = issued[0]
    pdf = html_to_pdf(invoice_html(invoice))
    lines = lines_of(pdf)
    reference = creditor_reference(f"{invoice.community_id}{invoice.number:010d}")

    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert lines[:9] == [
        "LEG Sonnenberg",
        "Dorfstrasse 1",
        "8000 Zürich",
        MUELLER,
        "Weiherweg 7",
        "8002 Zürich",
        f"Rechnung {invoice.display_number}",
        "Abrechnung März 2026",
        f"Nummer {invoice.display_number}",
    ]
    assert "Kundennummer M1" in lines
    assert "Leistungszeitraum 01.03.2026 – 31.03.2026" in lines
    assert f"Zahlbar bis {invoice.due_date:%d.%m.%Y}" in lines
    start = lines.index("Bezeichnung Menge Preis Betrag CHF")
    assert lines[start + 1 : start + 12] == [
        "LEG-Strom Niedertarif 301.176 kWh 18.50 Rp./kWh 55.72",
        "LEG-Strom Hochtarif 187.780 kWh 22.50 Rp./kWh 42.25",
        "Verwaltungsgebühr 2.50",
        "Total 100.47",
        "Zur Information (nicht verrechnet)",
        "Gesamtverbrauch 586.949 kWh",
        "davon aus der LEG (83.3 %) 488.956 kWh",
        "Reststrom, wird vom Netzbetreiber verrechnet 97.993 kWh",
        "Geschätzte Einsparung Netznutzung (40 % Abschlag,",
        "verrechnet durch den Netzbetreiber)",
        "488.956 kWh 9.00 Rp./kWh 17.60",
    ]
    assert (
        f"Bitte bezahlen Sie CHF 100.47 bis am {invoice.due_date:%d.%m.%Y} mit dem QR-Einzahlungsschein unten." in lines
    )
    assert invoice.total_chf == Decimal("100.47")
    receipt = lines.index("Empfangsschein")
    assert lines[receipt:] == [
        "Empfangsschein",
        "Konto / Zahlbar an",
        "CH93 0076 2011 6238 5295 7",
        "LEG Sonnenberg",
        "Dorfstrasse 1",
        "CH-8000 Zürich",
        "Referenz",
        " ".join(reference[i : i + 4] for i in range(0, len(reference), 4)),
        "Zahlbar durch",
        MUELLER,
        "Weiherweg 7",
        "CH-8002 Zürich",
        "Währung Betrag",
        "CHF 100.47",
        "Annahmestelle",
        "Zahlteil",
        "Währung Betrag",
        "CHF 100.47",
        "Konto / Zahlbar an",
        "CH93 0076 2011 6238 5295 7",
        "LEG Sonnenberg",
        "Dorfstrasse 1",
        "CH-8000 Zürich",
        "Referenz",
        " ".join(reference[i : i + 4] for i in range(0, len(reference), 4)),
        "Zusätzliche Informationen",
        f"Rechnung {invoice.display_number} LEG Sonnenberg, März 2026",
        "Zahlbar durch",
        MUELLER,
        "Weiherweg 7",
        "CH-8002 Zürich",
        "1 / 1",
    ]
    assert "ß" not in "\n".join(lines)


def test_the_payment_part_sits_at_the_bottom_of_the_page(issued):
    page = PdfReader(io.BytesIO(html_to_pdf(invoice_html(issued[0])))).pages[-1]
    heights = {}

    def visit(text, cm, tm, font, size):
        if text in ("Empfangsschein", "Zahlteil"):
            heights[text] = round((cm[5] + cm[3] * tm[5]) / MM, 1)  # baseline above the page's bottom edge, mm

    page.extract_text(visitor_text=visit)
    # the titles 5 mm below the top of the 105 mm QR-bill: 100 mm above the edge less the ascent of 11 pt
    assert heights == {"Empfangsschein": 96.7, "Zahlteil": 96.7}


def test_the_html_escapes_every_value(issued):
    html = invoice_html(issued[0])
    assert "&lt;b&gt;Müller &amp; &quot;Söhne&quot;&lt;/b&gt;" in html
    assert MUELLER not in html


def test_vat_is_shown_with_the_uid_only_for_a_vat_registered_community(march_community, staff_user):  # noqa: F811
    invoice = issue(march_community, staff_user, vat_number="CHE-123.456.789 MWST")[0]
    lines = lines_of(html_to_pdf(invoice_html(invoice)))

    assert "UID/MWST-Nr. CHE-123.456.789 MWST" in lines
    start = lines.index("Verwaltungsgebühr 2.50")
    assert lines[start + 1 : start + 4] == ["Zwischensumme 100.47", "MWST 8.1 % 8.14", "Total 108.61"]
    assert (invoice.vat_chf, invoice.total_chf) == (Decimal("8.14"), Decimal("108.61"))
    assert "CHF 108.61" in lines


def test_without_vat_there_is_neither_uid_nor_vat_line(issued):
    text = pdf_text(html_to_pdf(invoice_html(issued[0])))
    assert "UID" not in text and "MWST" not in text and "Zwischensumme" not in text


def test_a_long_street_and_markup_in_names_render_literally_with_the_provisional_note(issued):
    original = issued[0]
    street = "Hinterer Sonnenbergweg " + "x" * 177
    note = Invoice.objects.create(
        **{
            field.name: getattr(original, field.name)
            for field in Invoice._meta.concrete_fields
            if field.name not in ("id", "number", "kind", "recipient", "provisional_data", "corrects")
        },
        number=99,
        kind=InvoiceKind.CREDIT_NOTE,
        corrects=original,
        recipient={**original.recipient, "street": street},
        provisional_data=True,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(**{f.name: getattr(line, f.name) for f in InvoiceLine._meta.concrete_fields if f.name != "id"})
        for line in original.lines.all()
        if not setattr(line, "invoice", note)
    )
    text = pdf_text(html_to_pdf(invoice_html(note)))

    assert len(street) == 200
    assert MUELLER in text.splitlines()
    assert squeezed(f"{street} 7") in squeezed(text)
    assert squeezed(
        "Diese Abrechnung beruht teilweise auf provisorischen Messdaten des Netzbetreibers; "
        "Korrekturen werden mit einer späteren Abrechnung ausgeglichen."
    ) in squeezed(text)
