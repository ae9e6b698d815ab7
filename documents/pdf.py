"""HTML to PDF with WeasyPrint: the one place that knows how a PDF is made.

Templates live in ``templates/documents/``; their stylesheet is ``documents/static/documents/print.css`` and is
loaded once per process. Fonts (Liberation Sans, see the Dockerfile) are found by fontconfig.
"""

from functools import cache
from pathlib import Path

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration


@cache
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@cache
def _stylesheet() -> CSS:
    path = Path(__file__).resolve().parent / "static" / "documents" / "print.css"
    return CSS(filename=str(path), font_config=_fonts())


def html_to_pdf(html: str) -> bytes:
    """Render one HTML document to PDF bytes."""
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[_stylesheet()], font_config=_fonts()
    )
    return document.write_pdf()
