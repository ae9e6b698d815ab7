"""HTML to PDF with WeasyPrint: the one place that knows how a PDF is made.

Templates live in ``templates/documents/``; their stylesheet is ``STYLESHEET``
(``documents/static/documents/print.css``). Fonts (Liberation Sans, see the Dockerfile) are found by fontconfig.

What WeasyPrint would do again for every document is done once per process: the font configuration (fonts found,
loaded and shaped) and the parsed stylesheet are kept, so even a single document in a warm worker does not pay
them. Python's cycle collector is off while a document is laid out and written: its boxes are all alive then, and
each collection would only walk them again.

``htmls_to_pdfs`` renders many documents as one batch: they share one image cache (an image with one URL, such as
the QR-bill's Swiss cross and scissors, is read once), their pages are written as one PDF, so fonts are subset
once, and that PDF is cut into one PDF per document. Layout and painting are paid per page either way; they are
most of the cost, which is why the invoice templates avoid what makes WeasyPrint measure content (see print.css).
"""

import gc
import re
from contextlib import contextmanager
from functools import cache
from io import BytesIO
from pathlib import Path

from django.conf import settings
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration

STYLESHEET = Path(__file__).resolve().parent / "static" / "documents" / "print.css"


@cache
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@cache
def _stylesheet() -> CSS:
    return CSS(filename=str(STYLESHEET), font_config=_fonts())


def _layout(html: str, images: dict | None = None) -> Document:
    """Lay ``html`` out; ``images`` is WeasyPrint's image cache by URL, shared by the documents of a batch."""
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[_stylesheet()], font_config=_fonts(), cache=images
    )


@contextmanager
def _no_cyclic_gc():
    """Python's cycle collector off for a while: with laid-out documents alive, each of its runs walks all their
    boxes again (measured: about a tenth of a batch of 100 invoices). Collected as usual afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def html_to_pdf(html: str) -> bytes:
    """Render one HTML document to PDF bytes."""
    with _no_cyclic_gc():
        return _layout(html).write_pdf()


# Documents laid out together at most: a batch keeps their layouts in memory with the cycle collector off.
BATCH_SIZE = 100


def htmls_to_pdfs(htmls: list[str]) -> list[bytes]:
    """Render many HTML documents to one PDF each, in order, at about the cost of one PDF of all their pages.

    Each document keeps its own layout, page numbers and title; the pages of a batch (``BATCH_SIZE``
    documents at most) are written once, so fonts are subset once, and then cut apart again.
    """
    pdfs = []
    for start in range(0, len(htmls), BATCH_SIZE):
        pdfs.extend(_batch(htmls[start : start + BATCH_SIZE]))
    return pdfs


def _batch(htmls: list[str]) -> list[bytes]:
    images = {}
    with _no_cyclic_gc():
        documents = [_layout(html, images) for html in htmls]
        combined = documents[0].copy([page for document in documents for page in document.pages]).write_pdf()
    return _split(combined, documents)


_NAME = re.compile(rb"/([^\s/<>\[\]()]+)")


def _own_resources(page):
    """The page with only the resources its content names: WeasyPrint shares one resource dictionary among
    all pages, which would otherwise copy every document's images and states into every part."""
    used = {f"/{name.decode('latin-1')}" for name in _NAME.findall(page.get_contents().get_data())}
    shared = page["/Resources"]
    own = DictionaryObject()
    for category, entries in shared.items():
        entries = entries.get_object()
        if category == "/Font" or not isinstance(entries, DictionaryObject):
            own[NameObject(category)] = entries  # fonts are subset once for the whole batch: they are shared
        else:
            own[NameObject(category)] = DictionaryObject({k: v for k, v in entries.items() if k in used})
    page[NameObject("/Resources")] = own
    return page


def _split(pdf: bytes, documents: list[Document]) -> list[bytes]:
    reader = PdfReader(BytesIO(pdf))
    parts, first = [], 0
    for document in documents:
        writer = PdfWriter()
        for page in reader.pages[first : first + len(document.pages)]:
            writer.add_page(_own_resources(page))
        if document.metadata.title:
            writer.add_metadata({"/Title": document.metadata.title})
        out = BytesIO()
        writer.write(out)
        parts.append(out.getvalue())
        first += len(document.pages)
    return parts
