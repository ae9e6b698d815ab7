import gc
import io

import pytest
from pypdf import PdfReader

from documents.invoice_pdf import invoice_html, invoices_pdfs
from documents.pdf import html_to_pdf, htmls_to_pdfs
from tests.billing.conftest import march_community  # noqa: F401
from tests.documents.pdftext import pdf_pages
from tests.documents.test_invoice_pdf import issued  # noqa: F401


def document(name: str, pages: int) -> str:
    body = "".join(f'<p class="new-document">{name} Seite {page}</p>' for page in range(1, pages + 1))
    return f"<!DOCTYPE html><html><head><title>Dokument {name}</title></head><body>{body}</body></html>"


def test_each_pdf_of_a_batch_has_exactly_its_own_pages_text_and_title():
    pdfs = htmls_to_pdfs([document("A", 1), document("B", 3), document("C", 2)])

    assert [pdf_pages(pdf) for pdf in pdfs] == [
        ["A Seite 1\n1 / 1"],
        ["B Seite 1\n1 / 3", "B Seite 2\n2 / 3", "B Seite 3\n3 / 3"],
        ["C Seite 1\n1 / 2", "C Seite 2\n2 / 2"],
    ]
    assert [PdfReader(io.BytesIO(pdf)).metadata.title for pdf in pdfs] == ["Dokument A", "Dokument B", "Dokument C"]


def test_each_pdf_of_a_batch_is_byte_for_byte_the_pdf_rendered_alone():
    htmls = [document("A", 1), document("B", 2), document("A", 1)]

    assert htmls_to_pdfs(htmls) == [html_to_pdf(html) for html in htmls]


def test_an_empty_batch_renders_nothing():
    assert htmls_to_pdfs([]) == []


@pytest.mark.django_db
def test_a_batch_of_invoices_reads_as_the_invoices_rendered_one_by_one(issued):  # noqa: F811
    batch = invoices_pdfs(issued)

    assert len(batch) == 5
    for invoice, pdf in zip(issued, batch, strict=True):
        assert pdf == html_to_pdf(invoice_html(invoice))
        assert f"{invoice.get_kind_display()} {invoice.display_number}" in pdf_pages(pdf)[0].splitlines()


@pytest.mark.parametrize(
    "render",
    [lambda: html_to_pdf(document("A", 1)), lambda: htmls_to_pdfs([document("A", 1), document("B", 1)])],
)
def test_the_cycle_collector_is_off_while_documents_are_rendered_and_on_again_afterwards(monkeypatch, render):
    from documents import pdf

    during = []
    html_class = pdf.HTML
    monkeypatch.setattr(pdf, "HTML", lambda **kwargs: during.append(gc.isenabled()) or html_class(**kwargs))

    render()

    assert set(during) == {False}
    assert gc.isenabled()
