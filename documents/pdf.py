"""HTML to PDF with WeasyPrint: the one place that knows how a PDF is made.

Templates live in ``templates/documents/``; their stylesheet is ``STYLESHEET``
(``documents/static/documents/print.css``). Fonts (Liberation Sans, see the Dockerfile) are found by fontconfig.

What WeasyPrint would otherwise do again for every document is done once per process: the font configuration
(fonts found, loaded and shaped) and the parsed stylesheet are kept, so a single document in a warm worker does not
pay them either. Python's cycle collector is off while a document is laid out and written: its boxes are all alive
then, and each collection would only walk them again.

``htmls_to_pdfs`` renders many documents with one image cache besides: an image with one URL (the QR-bill's Swiss
cross and scissors) is read and decoded once. Each document is written as its own PDF. Writing a batch as one PDF
and cutting it apart, to subset the fonts once, cost more than it saved once harfbuzz subsets fonts (100 invoices:
12.5 s against 10.7 s of CPU, and every part carried the glyphs of the whole batch). Layout and painting are paid
per page either way and are most of the cost, which is why the invoice templates avoid what makes WeasyPrint
measure content (see print.css).
"""

import gc
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

STYLESHEET = Path(__file__).resolve().parent / "static" / "documents" / "print.css"


@cache
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@cache
def _stylesheet() -> CSS:
    return CSS(filename=str(STYLESHEET), font_config=_fonts())


@contextmanager
def _no_cyclic_gc():
    """Python's cycle collector off for a while; collected as usual afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def html_to_pdf(html: str, *, images: dict | None = None) -> bytes:
    """Render one HTML document to PDF bytes; ``images`` is WeasyPrint's image cache by URL, shared by a batch."""
    with _no_cyclic_gc():
        document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
            stylesheets=[_stylesheet()], font_config=_fonts(), cache=images
        )
        return document.write_pdf()


def htmls_to_pdfs(htmls: list[str]) -> list[bytes]:
    """Render many HTML documents to one PDF each, in order: the same bytes as ``html_to_pdf`` of each."""
    images = {}
    return [html_to_pdf(html, images=images) for html in htmls]
