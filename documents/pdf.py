"""HTML to PDF with WeasyPrint: the one place that knows how a PDF is made.

Templates live in ``templates/documents/``; their stylesheet is ``documents/static/documents/print.css`` and is
loaded once per process. Fonts (Liberation Sans, see the Dockerfile) are found by fontconfig.

Every written PDF subsets its fonts once: costly with fontTools, cheap where libharfbuzz-subset is installed.
``htmls_to_pdfs`` therefore lays many documents out one by one, writes them as one PDF and cuts that into one PDF
each. Its documents share one image cache, so an image with one URL (the QR-bill's Swiss cross and scissors) is
read once and written once per batch; layout and painting cost the same either way.
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


@cache
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@cache
def _stylesheet() -> CSS:
    path = Path(__file__).resolve().parent / "static" / "documents" / "print.css"
    return CSS(filename=str(path), font_config=_fonts())


def _layout(html: str, images: dict | None = None) -> Document:
    """Lay ``html`` out; ``images`` is WeasyPrint's image cache by URL, shared by the documents of a batch."""
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[_stylesheet()], font_config=_fonts(), cache=images
    )


def html_to_pdf(html: str) -> bytes:
    """Render one HTML document to PDF bytes."""
    return _layout(html).write_pdf()


@contextmanager
def _no_cyclic_gc():
    """Python's cycle collector off for a while: with a batch's laid-out documents alive, each of its runs walks
    all their boxes again (measured: about a tenth of a batch of 100 invoices). Collected as usual afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
