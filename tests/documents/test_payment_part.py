"""The QR-bill drawn by our template: the QR code's PNG, its size and place on the last page, the batch."""

import io
import struct
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from documents.invoice_pdf import invoice_html, invoices_pdfs
from documents.pdf import html_to_pdf
from documents.qr import _qr_bill, is_payable, matrix_png, payment_part, qr_matrix
from tests.billing.conftest import march_community  # noqa: F401
from tests.documents.pdftext import pdf_pages
from tests.documents.test_invoice_pdf import MM, issued  # noqa: F401
from tests.documents.test_qr import invoice

SCISSORS_WIDTH, CROSS_WIDTH = 118, 36  # pixels of the static images
FILLER = "<p>Zeile, damit die Rechnung eine zweite Seite braucht.</p>" * 30


def png_chunks(png: bytes) -> dict[bytes, bytes]:
    """The chunks of a PNG by type, each checked against its CRC."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = {}, 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind, data = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        assert struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])[0] == zlib.crc32(kind + data)
        chunks[kind] = data
        offset += 12 + length
    return chunks


def test_the_png_decodes_to_exactly_the_matrix_qrbill_draws():
    part = payment_part(invoice())
    modules = _qr_bill(invoice()).qr_image().modules  # what qrbill's own drawing is made of
    chunks = png_chunks(part.qr_png)
    size = len(modules)
    rows = zlib.decompress(chunks[b"IDAT"])

    assert qr_matrix(part.qr_data) == modules
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">IIBBBBB", chunks[b"IHDR"]) == (size, size, 8, 0, 0, 0, 0)  # 8-bit grey, one pixel each
    assert len(rows) == size * (size + 1)
    for y, row in enumerate(modules):
        line = rows[y * (size + 1) : (y + 1) * (size + 1)]
        assert line == b"\x00" + bytes(0 if dark else 255 for dark in row)


def test_pillow_reads_the_png_as_the_same_matrix():
    matrix = [[True, False, True], [False, False, True], [True, True, False]]
    image = Image.open(io.BytesIO(matrix_png(matrix)))

    assert (image.mode, image.size) == ("L", (3, 3))
    assert list(image.get_flattened_data()) == [0, 255, 0, 255, 255, 0, 0, 0, 255]


def _multiply(m: list[float], ctm: list[float]) -> list[float]:
    a, b, c, d, e, f = ctm
    return [
        m[0] * a + m[1] * c,
        m[0] * b + m[1] * d,
        m[2] * a + m[3] * c,
        m[2] * b + m[3] * d,
        m[4] * a + m[5] * c + e,
        m[4] * b + m[5] * d + f,
    ]


def image_boxes(page) -> list[tuple[int, tuple[float, ...]]]:
    """Each raster image drawn on ``page``: its width in pixels, and where (left, bottom, width, height in mm from
    the page's lower left corner; a rotated image has a width and height of 0)."""
    xobjects = page["/Resources"].get("/XObject", {})
    ctm, saved, boxes = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], [], []
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"q":
            saved.append(ctm)
        elif operator == b"Q":
            ctm = saved.pop()
        elif operator == b"cm":
            ctm = _multiply([float(value) for value in operands], ctm)
        elif operator == b"Do" and xobjects[operands[0]]["/Subtype"] == "/Image":
            box = tuple(round(value / MM, 1) + 0.0 for value in (ctm[4], ctm[5], ctm[0], ctm[3]))
            boxes.append((xobjects[operands[0]]["/Width"], box))
    return boxes


def embedded_images(page) -> dict[int, bool]:
    """The raster images in the page's resources: width in pixels and whether a viewer may smooth them."""
    images = (image.get_object() for image in page["/Resources"].get("/XObject", {}).values())
    return {image["/Width"]: image["/Interpolate"] for image in images if image["/Subtype"] == "/Image"}


def title_heights(page) -> dict[str, float]:
    heights = {}

    def visit(text, cm, tm, font, size):
        if text in ("Empfangsschein", "Zahlteil"):
            heights[text] = round((cm[5] + cm[3] * tm[5]) / MM, 1)

    page.extract_text(visitor_text=visit)
    return heights


@pytest.mark.django_db
def test_the_qr_code_is_46_mm_square_in_its_place_on_the_last_page(issued):  # noqa: F811
    html = invoice_html(issued[0]).replace('<div class="payment-slot">', f'{FILLER}<div class="payment-slot">')
    first, last = PdfReader(io.BytesIO(html_to_pdf(html))).pages

    assert (image_boxes(first), title_heights(first)) == ([], {})
    (qr_code, cross) = [box for width, box in image_boxes(last) if width != SCISSORS_WIDTH]
    # 5 mm right of the receipt (62 mm), 17 mm below the top of the 105 mm QR-bill: 42 mm above the edge
    assert qr_code == (67.0, 42.0, 46.0, 46.0)
    assert cross == (86.5, 61.5, 7.0, 7.0)  # in the middle of the QR code
    assert title_heights(last) == {"Empfangsschein": 96.7, "Zahlteil": 96.7}


@pytest.mark.django_db
def test_the_qr_code_and_the_cross_are_drawn_without_smoothing(issued):  # noqa: F811
    page = PdfReader(io.BytesIO(html_to_pdf(invoice_html(issued[0])))).pages[0]
    size = len(qr_matrix(payment_part(issued[0]).qr_data))

    # the scissors are drawn twice and embedded once
    assert [width for width, _box in image_boxes(page)] == [SCISSORS_WIDTH, SCISSORS_WIDTH, size, CROSS_WIDTH]
    assert embedded_images(page) == {SCISSORS_WIDTH: True, size: False, CROSS_WIDTH: False}


@pytest.mark.django_db
def test_each_invoice_of_a_batch_has_its_own_qr_code_and_the_text_of_a_separate_render(issued):  # noqa: F811
    payable = [invoice_ for invoice_ in issued if is_payable(invoice_)]
    batch = invoices_pdfs(payable)

    assert len(payable) == 3
    for invoice_, pdf in zip(payable, batch, strict=True):
        page = PdfReader(io.BytesIO(pdf)).pages[0]
        size = len(qr_matrix(payment_part(invoice_).qr_data))
        assert embedded_images(page) == {SCISSORS_WIDTH: True, size: False, CROSS_WIDTH: False}
        assert pdf_pages(pdf) == pdf_pages(html_to_pdf(invoice_html(invoice_)))
