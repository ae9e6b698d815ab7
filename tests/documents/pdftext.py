"""Reading PDFs back in tests: the text of every page, and the same with all whitespace removed
(long values wrap across lines in a PDF)."""

import io

from pypdf import PdfReader


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))


def squeezed(text: str) -> str:
    return "".join(text.split())
