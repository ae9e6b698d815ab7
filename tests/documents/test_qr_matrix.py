"""The vectorised QR matrix must be exactly the one qrcode makes (error correction M, no border)."""

import random
from functools import cache

import numpy as np
import pytest
import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st
from qrcode import util

from documents import qr
from documents.qr_matrix import encode, penalties, qr_matrix

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
WORDS = ("Sonnenberg", "Dorfstrasse", "Bahnhofstrasse", "Müller", "Zürich", "Genève", "Straße", "LEG", "äöü ÄÖÜ é")


def qrcode_matrix(data: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0)
    code.add_data(data)
    return code.get_matrix()


def chosen_mask(matrix: list[list[bool]]) -> int:
    """The mask pattern read back from the format information next to the top left finder pattern."""
    size = len(matrix)
    rows = [*range(6), 7, 8, *range(size - 7, size)]  # bit i of the vertical copy, column 8
    bits = sum(matrix[row][8] << i for i, row in enumerate(rows))
    return next(mask for mask in range(8) if util.BCH_type_info((ERROR_CORRECTION << 3) | mask) == bits)


def qr_bill_payload(rng: random.Random, extra: int) -> str:
    """A payload shaped like a Swiss QR-bill, made longer by ``extra`` characters of additional information."""
    amount = f"{rng.randint(1, 99999)}.{rng.randint(0, 99):02d}"
    reference = "".join(rng.choice("0123456789") for _ in range(27))
    words = " ".join(rng.choice(WORDS) for _ in range(extra // 6 + 1))[:extra]
    lines = [
        "SPC",
        "0200",
        "1",
        f"CH{rng.randint(10, 99)}3199{rng.randint(10**12, 10**13 - 1)}",
        "S",
        f"LEG {rng.choice(WORDS)}",
        rng.choice(WORDS),
        str(rng.randint(1, 200)),
        str(rng.randint(1000, 9999)),
        rng.choice(WORDS),
        "CH",
        *[""] * 7,
        amount,
        "CHF",
        "S",
        f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
        rng.choice(WORDS),
        f"{rng.randint(1, 99)}a",
        str(rng.randint(1000, 9999)),
        rng.choice(WORDS),
        "CH",
        "QRR",
        reference,
        words,
        "EPD",
    ]
    return "\r\n".join(lines)


def payloads() -> list[str]:
    """A fixed, varied set: lengths 1 to 1000, ASCII, umlauts, CR LF, digits only and QR-bill payloads."""
    rng = random.Random(20260402)
    ascii_letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-/:"
    kinds = {
        "ascii": ascii_letters,
        "umlauts": ascii_letters + "äöüÄÖÜéèà€",
        "lines": ascii_letters + "\r\n" * 10,
        "digits": "0123456789",
        "alphanumeric": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:",
    }
    result = []
    for index in range(250):
        kind = list(kinds)[index % len(kinds)]
        length = 1 + (index * 997 // 250 + rng.randint(0, 3)) % 1000
        result.append("".join(rng.choice(kinds[kind]) for _ in range(length)))
    result += [qr_bill_payload(rng, extra) for extra in range(0, 700, 10)]
    result += ["", "a", "1", "A", "\r\n", "ä" * 500, "9" * 1000, "x" * 1000]
    return result


@cache
def references() -> tuple[tuple[str, list[list[bool]]], ...]:
    return tuple((data, qrcode_matrix(data)) for data in payloads())


def test_the_matrix_is_exactly_qrcodes_for_a_fixed_set_of_payloads():
    mismatches = [data for data, expected in references() if qr_matrix(data) != expected]
    assert len(references()) >= 300
    assert mismatches == []


def test_the_fixed_set_covers_every_mask_and_the_versions_up_to_25():
    matrices = [expected for _, expected in references()]
    assert {chosen_mask(matrix) for matrix in matrices} == set(range(8))
    assert {(len(matrix) - 17) // 4 for matrix in matrices} >= set(range(1, 26))


def test_the_matrix_holds_plain_booleans():
    matrix = qr_matrix("SPC\r\n0200\r\n1\r\nCH4431999123000889012")
    assert all(type(module) is bool for row in matrix for module in row)
    assert all(len(row) == len(matrix) for row in matrix)


def test_the_payment_part_uses_the_fast_version():
    data = qr_bill_payload(random.Random(7), 120)
    assert qr.qr_matrix is qr_matrix
    assert qr.qr_matrix(data) == qrcode_matrix(data)


@pytest.mark.parametrize("data", ["", "Hallo", "0123456789" * 30, "Grüezi\r\n" * 60, "ABC $%*+-./:" * 40])
def test_the_codewords_are_qrcodes(data):
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0)
    code.add_data(data)
    version = code.best_fit()
    expected = util.create_data(version, ERROR_CORRECTION, code.data_list)
    assert encode(data) == (version, bytes(expected))


def test_a_payload_too_long_for_any_version_is_refused():
    with pytest.raises(ValueError, match="was 41"):  # qrcode 8.2 fails when it sets version 41
        qrcode_matrix("x" * 2400)
    with pytest.raises(qrcode.exceptions.DataOverflowError):
        qr_matrix("x" * 2400)


def random_matrices(size: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """Matrices of varied darkness (so that the balance penalty varies) plus stripes that score level 3."""
    darkness = rng.uniform(0.05, 0.95, size=(count, 1, 1))
    stack = rng.random((count, size, size)) < darkness
    finder_like = np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool)
    stack[0, 3, : finder_like.size] = finder_like
    stack[0, -finder_like.size :, 5] = finder_like[::-1]
    stack[1] = True
    return stack


@pytest.mark.parametrize("size", [21, 25, 33, 45, 57, 85, 117])
def test_the_penalty_is_exactly_qrcodes_lost_point(size):
    stack = random_matrices(size, 12, np.random.default_rng(size))
    expected = [util.lost_point(matrix.tolist()) for matrix in stack]
    assert penalties(stack).tolist() == expected


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_qrcodes_matrix(data):
    assert qr_matrix(data) == qrcode_matrix(data)
