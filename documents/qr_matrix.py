"""QR code matrices exactly as ``qrcode`` makes them (error correction M, no border), vectorised with numpy.

``qrcode.QRCode(error_correction=M, border=0).add_data(data); get_matrix()`` spends most of its time in pure
Python: it lays out the whole symbol eight times, once per mask pattern, and scores each with
``qrcode.util.lost_point``; writing the bit stream bit by bit and its polynomial Reed-Solomon division cost a few
milliseconds more. Here the same steps are done once per version where they can be (function patterns, the order
in which the data modules are filled, the mask patterns; all cached) and with arrays per call:

1. ``encode``: qrcode's own segmentation (``QRCode.add_data``), then the version, the bit stream and the error
   correction codewords, equal to ``QRCode.best_fit`` and ``qrcode.util.create_data``;
2. the codeword bits go to the data modules, and the eight masked candidates are scored at once by ``penalties``,
   which is ``qrcode.util.lost_point`` for each (levels 1 to 4 as qrcode 8.2 computes them);
3. the first candidate with the lowest score, as ``QRCode.best_mask_pattern`` picks it, gets its format and version
   information.

Like qrcode, the candidates are scored with the format and version information all light and without the dark
module (``makeImpl(test=True, ...)``); only the chosen one gets the real bits.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
import qrcode
from qrcode import util
from qrcode.base import rs_blocks
from qrcode.exceptions import DataOverflowError

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
MASK_COUNT = 8
MAX_VERSION = 40

_MODE_BITS = 4
_PAD_CODEWORDS = (0xEC, 0x11)  # alternate after the terminator until the data codewords are full
_GF_PRIMITIVE = 0x11D  # x^8 + x^4 + x^3 + x^2 + 1, the field of QR's Reed-Solomon code
_FORMAT_BITS = 15
_VERSION_BITS = 18
_FIRST_VERSION_WITH_VERSION_INFO = 7

# the 1:1:3:1:1 finder-like runs with four light modules on one side, the patterns qrcode's level 3 looks for
_FINDER_LIKE = ((1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0), (0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1))
_RUN_LENGTH = 5  # level 1: a run of five or more modules of one colour costs its length minus two
_RUN_BASE_COST = 2
_BLOCK_COST = 3  # level 2: per 2x2 block of one colour
_FINDER_LIKE_COST = 40  # level 3: per finder-like pattern in a row or a column

# ---------------------------------------------------------------------------------------------------------------------
# Encoding: the payload's segments, the version, the data and error correction codewords
# ---------------------------------------------------------------------------------------------------------------------


def segments(data: str) -> list[util.QRData]:
    """qrcode's own split of ``data`` into numeric, alphanumeric and byte segments (``QRCode.add_data``)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION)
    code.add_data(data)
    return code.data_list


def _payload_bit_count(segment: util.QRData) -> int:
    count = len(segment)
    if segment.mode == util.MODE_NUMBER:  # three digits in 10 bits, a rest of two in 7, of one in 4
        return 10 * (count // 3) + (0, 4, 7)[count % 3]
    if segment.mode == util.MODE_ALPHA_NUM:  # two characters in 11 bits, a single one in 6
        return 11 * (count // 2) + 6 * (count % 2)
    return 8 * count


def _bit_count(parts: list[util.QRData], version: int) -> int:
    """The bits ``parts`` take in ``version``: mode, character count (its width depends on the version), payload."""
    count_widths = util.mode_sizes_for_version(version)
    return sum(_MODE_BITS + count_widths[part.mode] + _payload_bit_count(part) for part in parts)


def _data_bit_limit(version: int) -> int:
    return util.BIT_LIMIT_TABLE[ERROR_CORRECTION][version]


def smallest_version(parts: list[util.QRData]) -> int:
    """The smallest version that holds ``parts``; the same as ``QRCode.best_fit`` and its recursion."""
    for version in range(1, MAX_VERSION + 1):
        if _bit_count(parts, version) <= _data_bit_limit(version):
            return version
    raise DataOverflowError()


def _fields(segment: util.QRData, version: int):
    """The (value, width) fields of one segment in the bit stream."""
    yield segment.mode, _MODE_BITS
    yield len(segment), util.mode_sizes_for_version(version)[segment.mode]
    payload = segment.data
    if segment.mode == util.MODE_NUMBER:
        for start in range(0, len(payload), 3):
            digits = payload[start : start + 3]
            yield int(digits), util.NUMBER_LENGTH[len(digits)]
    elif segment.mode == util.MODE_ALPHA_NUM:
        for start in range(0, len(payload), 2):
            values = [util.ALPHA_NUM.index(character) for character in payload[start : start + 2]]
            yield (values[0] * 45 + values[1], 11) if len(values) == 2 else (values[0], 6)
    else:
        yield int.from_bytes(payload, "big"), 8 * len(payload)


def data_codewords(parts: list[util.QRData], version: int) -> bytes:
    """The data codewords: the segments, up to four zero bits, zeros to the byte, then the pad codewords."""
    stream, length = 0, 0
    for part in parts:
        for value, width in _fields(part, version):
            stream = (stream << width) | (value & ((1 << width) - 1))
            length += width
    limit = _data_bit_limit(version)
    if length > limit:  # pragma: no cover - smallest_version chose a version that holds them
        raise DataOverflowError()
    byte_count = -(-min(length + 4, limit) // 8)
    stream <<= 8 * byte_count - length
    pad_count = limit // 8 - byte_count
    return stream.to_bytes(byte_count, "big") + bytes(_PAD_CODEWORDS[i % 2] for i in range(pad_count))


def _frozen(array: np.ndarray) -> np.ndarray:
    """``array`` made read-only, as the cached tables are shared by every call."""
    array.flags.writeable = False
    return array


@cache
def _gf_multiplication_table() -> np.ndarray:
    """Products in GF(256) as a 256 x 256 table."""
    exponent = np.zeros(2 * 255, dtype=np.int64)
    logarithm = np.zeros(256, dtype=np.int64)
    value = 1
    for power in range(255):
        exponent[power] = value
        logarithm[value] = power
        value <<= 1
        if value & 0x100:
            value ^= _GF_PRIMITIVE
    exponent[255:] = exponent[:255]
    table = exponent[logarithm[:, None] + logarithm[None, :]]
    table[0, :] = 0
    table[:, 0] = 0
    return _frozen(table.astype(np.uint8))


@cache
def _generator_tail(ec_count: int) -> tuple[int, ...]:
    """The coefficients below the leading one of the generator (x - a^0)(x - a^1)...(x - a^(ec_count - 1))."""
    table = _gf_multiplication_table()
    coefficients = [1]  # highest degree first
    root = 1
    for _ in range(ec_count):
        shifted = [int(table[root, c]) for c in coefficients]
        coefficients = [high ^ low for high, low in zip([*coefficients, 0], [0, *shifted], strict=True)]
        root = int(table[root, 2])
    return tuple(coefficients[1:])


@cache
def _remainder_basis(data_count: int, ec_count: int) -> np.ndarray:
    """Row j: x^(ec_count + data_count - 1 - j) modulo the generator, i.e. the error correction of a lone 1 at j.

    The error correction codewords of a block are the remainder of its data (times x^ec_count) divided by the
    generator; that remainder is linear, so it is the XOR of each data codeword times its row.
    """
    table = _gf_multiplication_table()
    tail = np.array(_generator_tail(ec_count), dtype=np.uint8)
    rows = [tail]  # x^ec_count = tail modulo the generator
    for _ in range(data_count - 1):
        previous = rows[-1]
        rows.append(np.append(previous[1:], 0).astype(np.uint8) ^ table[previous[0], tail])
    return _frozen(np.array(rows[::-1]))


def error_correction_codewords(blocks: np.ndarray, ec_count: int) -> np.ndarray:
    """The Reed-Solomon codewords of each row of ``blocks`` (uint8, one block of data codewords a row)."""
    basis = _remainder_basis(blocks.shape[1], ec_count)
    products = _gf_multiplication_table()[blocks[:, :, None], basis[None, :, :]]
    return np.bitwise_xor.reduce(products, axis=1)


@dataclass(frozen=True)
class _BlockLayout:
    groups: tuple[tuple[int, int], ...]  # (number of blocks, data codewords per block), in qrcode's block order
    ec_count: int  # error correction codewords per block (the same for every block)
    order: np.ndarray  # the final codeword sequence as indices into data codewords + error codewords by block


@cache
def _block_layout(version: int) -> _BlockLayout:
    blocks = rs_blocks(version, ERROR_CORRECTION)
    data_counts = [block.data_count for block in blocks]
    ec_counts = {block.total_count - block.data_count for block in blocks}
    (ec_count,) = ec_counts
    starts = np.cumsum([0, *data_counts])
    data_total = int(starts[-1])
    # interleaved: the i-th data codeword of each block in turn, then the i-th error codeword of each block
    order = [int(starts[b]) + i for i in range(max(data_counts)) for b in range(len(blocks)) if i < data_counts[b]]
    order += [data_total + b * ec_count + i for i in range(ec_count) for b in range(len(blocks))]
    groups: list[tuple[int, int]] = []
    for count in data_counts:
        if groups and groups[-1][1] == count:
            groups[-1] = (groups[-1][0] + 1, count)
        else:
            groups.append((1, count))
    return _BlockLayout(tuple(groups), ec_count, _frozen(np.array(order)))


def encode(data: str) -> tuple[int, bytes]:
    """The version and the final codewords of ``data``: the same as ``QRCode.best_fit`` and ``util.create_data``."""
    parts = segments(data)
    version = smallest_version(parts)
    codewords = np.frombuffer(data_codewords(parts, version), dtype=np.uint8)
    layout = _block_layout(version)
    pieces, start = [codewords], 0
    for count, data_count in layout.groups:
        blocks = codewords[start : start + count * data_count].reshape(count, data_count)
        pieces.append(error_correction_codewords(blocks, layout.ec_count).ravel())
        start += count * data_count
    return version, np.concatenate(pieces)[layout.order].tobytes()


# ---------------------------------------------------------------------------------------------------------------------
# The symbol: function patterns, data module order and masks per version
# ---------------------------------------------------------------------------------------------------------------------


def _finder_template() -> np.ndarray:
    """A finder pattern with its light separator all round: 9 x 9, dark is True."""
    template = np.zeros((9, 9), dtype=bool)
    template[1:8, 1:8] = True
    template[2:7, 2:7] = False
    template[3:6, 3:6] = True
    return template


def _alignment_template() -> np.ndarray:
    template = np.ones((5, 5), dtype=bool)
    template[1:4, 1:4] = False
    template[2, 2] = True
    return template


def _place_finder(dark: np.ndarray, reserved: np.ndarray, row: int, col: int) -> None:
    """The finder pattern with its top left corner at (row, col); the separator is cut off at the edges."""
    size = dark.shape[0]
    top, left = row - 1, col - 1
    rows = slice(max(top, 0), min(top + 9, size))
    cols = slice(max(left, 0), min(left + 9, size))
    dark[rows, cols] = _finder_template()[rows.start - top : rows.stop - top, cols.start - left : cols.stop - left]
    reserved[rows, cols] = True


def _place_alignment_patterns(dark: np.ndarray, reserved: np.ndarray, version: int) -> None:
    """Every pairing of the version's alignment positions, except where a finder pattern already is."""
    positions = util.pattern_position(version)
    for row in positions:
        for col in positions:
            if reserved[row, col]:
                continue
            dark[row - 2 : row + 3, col - 2 : col + 3] = _alignment_template()
            reserved[row - 2 : row + 3, col - 2 : col + 3] = True


def _place_timing_patterns(dark: np.ndarray, reserved: np.ndarray) -> None:
    """Row and column 6 between the finder patterns, dark on even indices, where no alignment pattern is."""
    size = dark.shape[0]
    between = np.arange(8, size - 8)
    for rows, cols in ((between, 6), (6, between)):
        free = ~reserved[rows, cols]
        dark[rows, cols] = np.where(free, between % 2 == 0, dark[rows, cols])
        reserved[rows, cols] = True


def _format_positions(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols) of bit i of the format information in its vertical and in its horizontal copy."""
    bits = np.arange(_FORMAT_BITS)
    vertical_rows = np.where(bits < 6, bits, np.where(bits < 8, bits + 1, size - _FORMAT_BITS + bits))
    horizontal_cols = np.where(bits < 8, size - 1 - bits, np.where(bits < 9, 15 - bits, 14 - bits))
    return vertical_rows, np.full(_FORMAT_BITS, 8), np.full(_FORMAT_BITS, 8), horizontal_cols


def _version_positions(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols) of bit i of the version information next to the top right and the bottom left finder."""
    bits = np.arange(_VERSION_BITS)
    return bits // 3, bits % 3 + size - 11, bits % 3 + size - 11, bits // 3


def _dark_module(size: int) -> tuple[int, int]:
    return size - 8, 8


def _placement_order(reserved: np.ndarray) -> np.ndarray:
    """Flat indices of the data modules in filling order: column pairs from the right, up and down in turn."""
    size = reserved.shape[0]
    rights = [col - 1 if col <= 6 else col for col in range(size - 1, 0, -2)]  # column 6 is the timing pattern
    upwards, downwards = np.arange(size - 1, -1, -1), np.arange(size)
    indices = [
        ((downwards if pair % 2 else upwards)[:, None] * size + [right, right - 1]).ravel()
        for pair, right in enumerate(rights)
    ]
    order = np.concatenate(indices)
    return order[~reserved.ravel()[order]]


def _mask_patterns(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """(8, n): whether masks 0 to 7 invert the modules at (rows, cols)."""
    product = rows * cols
    return np.array(
        [
            (rows + cols) % 2 == 0,
            rows % 2 == 0,
            cols % 3 == 0,
            (rows + cols) % 3 == 0,
            (rows // 2 + cols // 3) % 2 == 0,
            product % 2 + product % 3 == 0,
            (product % 2 + product % 3) % 2 == 0,
            (product % 3 + (rows + cols) % 2) % 2 == 0,
        ]
    )


@dataclass(frozen=True)
class _SymbolLayout:
    size: int
    function_patterns: np.ndarray  # (size, size): finder, alignment and timing patterns; everything else light
    data_positions: np.ndarray  # flat indices of the data modules in filling order
    masks: np.ndarray  # (8, number of data modules): which data modules each mask inverts


@cache
def _symbol_layout(version: int) -> _SymbolLayout:
    size = 4 * version + 17
    dark = np.zeros((size, size), dtype=bool)
    reserved = np.zeros((size, size), dtype=bool)
    for row, col in ((0, 0), (size - 7, 0), (0, size - 7)):
        _place_finder(dark, reserved, row, col)
    _place_alignment_patterns(dark, reserved, version)
    _place_timing_patterns(dark, reserved)
    vertical_rows, vertical_cols, horizontal_rows, horizontal_cols = _format_positions(size)
    reserved[vertical_rows, vertical_cols] = reserved[horizontal_rows, horizontal_cols] = True
    reserved[_dark_module(size)] = True
    if version >= _FIRST_VERSION_WITH_VERSION_INFO:
        right_rows, right_cols, bottom_rows, bottom_cols = _version_positions(size)
        reserved[right_rows, right_cols] = reserved[bottom_rows, bottom_cols] = True
    positions = _placement_order(reserved)
    return _SymbolLayout(size, _frozen(dark), _frozen(positions), _frozen(_mask_patterns(*np.divmod(positions, size))))


def _bits(value: int, count: int) -> np.ndarray:
    """Bit i of ``value`` at index i."""
    return (value >> np.arange(count)) & 1 == 1


def _write_format_and_version(matrix: np.ndarray, version: int, mask: int) -> None:
    size = matrix.shape[0]
    format_bits = _bits(util.BCH_type_info((ERROR_CORRECTION << 3) | mask), _FORMAT_BITS)
    vertical_rows, vertical_cols, horizontal_rows, horizontal_cols = _format_positions(size)
    matrix[vertical_rows, vertical_cols] = matrix[horizontal_rows, horizontal_cols] = format_bits
    matrix[_dark_module(size)] = True
    if version >= _FIRST_VERSION_WITH_VERSION_INFO:
        version_bits = _bits(util.BCH_type_number(version), _VERSION_BITS)
        right_rows, right_cols, bottom_rows, bottom_cols = _version_positions(size)
        matrix[right_rows, right_cols] = matrix[bottom_rows, bottom_cols] = version_bits


def _candidates(layout: _SymbolLayout, codewords: bytes) -> np.ndarray:
    """(8, size, size): the symbol under each mask, format and version information light (qrcode's test layout)."""
    bits = np.zeros(layout.data_positions.size, dtype=bool)  # remainder bits past the codewords stay light
    codeword_bits = np.unpackbits(np.frombuffer(codewords, dtype=np.uint8)).astype(bool)
    bits[: codeword_bits.size] = codeword_bits
    stack = np.repeat(layout.function_patterns.reshape(1, -1), MASK_COUNT, axis=0)
    stack[:, layout.data_positions] = layout.masks ^ bits
    return stack.reshape(MASK_COUNT, layout.size, layout.size)


# ---------------------------------------------------------------------------------------------------------------------
# The penalty score, exactly qrcode.util.lost_point
# ---------------------------------------------------------------------------------------------------------------------


def _run_penalty(lines: np.ndarray) -> np.ndarray:
    """Level 1: each run of five or more modules of one colour costs its length minus two.

    A run of length L >= 5 holds L - 4 windows of five modules of one colour, one of them at its start, so the cost
    is the number of such windows plus two per window that starts a run.
    """
    same = lines[..., 1:] == lines[..., :-1]  # a module and the next one have the same colour
    steps = _RUN_LENGTH - 1
    uniform = same[..., : same.shape[-1] - steps + 1].copy()
    for offset in range(1, steps):
        uniform &= same[..., offset : offset + uniform.shape[-1]]
    starts = uniform.copy()
    starts[..., 1:] &= ~same[..., : uniform.shape[-1] - 1]
    return np.count_nonzero(uniform, axis=(1, 2)) + _RUN_BASE_COST * np.count_nonzero(starts, axis=(1, 2))


def _block_penalty(stack: np.ndarray) -> np.ndarray:
    """Level 2: 3 for each 2 x 2 block of one colour (blocks may overlap)."""
    same_across = stack[:, :, 1:] == stack[:, :, :-1]
    same_down = stack[:, 1:, :-1] == stack[:, :-1, :-1]
    blocks = same_across[:, :-1, :] & same_across[:, 1:, :] & same_down
    return _BLOCK_COST * np.count_nonzero(blocks, axis=(1, 2))


def _finder_like_penalty(lines: np.ndarray) -> np.ndarray:
    """Level 3: 40 for each window of 11 modules in a row or a column that is one of the finder-like patterns."""
    width = lines.shape[-1] - len(_FINDER_LIKE[0]) + 1
    by_colour = (~lines, lines)  # indexed by the pattern's bit: light, dark
    total = np.zeros(lines.shape[0], dtype=np.int64)
    for pattern in _FINDER_LIKE:
        match = by_colour[pattern[0]][..., :width].copy()
        for offset, dark in enumerate(pattern[1:], start=1):
            match &= by_colour[dark][..., offset : offset + width]
        total += np.count_nonzero(match, axis=(1, 2))
    return _FINDER_LIKE_COST * total


def _balance_penalty(stack: np.ndarray) -> np.ndarray:
    """Level 4: 10 per full 5 % the share of dark modules is away from 50 %, in qrcode's float arithmetic."""
    area = stack.shape[1] * stack.shape[2]
    dark_counts = np.count_nonzero(stack, axis=(1, 2)).tolist()
    return np.array([int(abs(float(dark) / area * 100 - 50) / 5) * 10 for dark in dark_counts], dtype=np.int64)


def penalties(stack: np.ndarray) -> np.ndarray:
    """``qrcode.util.lost_point`` of each square boolean matrix in ``stack`` (count, size, size); dark is True."""
    lines = np.concatenate((stack, stack.transpose(0, 2, 1)), axis=1)  # the rows, then the columns
    return _run_penalty(lines) + _block_penalty(stack) + _finder_like_penalty(lines) + _balance_penalty(stack)


# ---------------------------------------------------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------------------------------------------------


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of ``data``'s QR code (error correction M, no border; dark is True), identical to qrcode's."""
    version, codewords = encode(data)
    layout = _symbol_layout(version)
    candidates = _candidates(layout, codewords)
    mask = int(np.argmin(penalties(candidates)))  # the first of the lowest, like QRCode.best_mask_pattern
    matrix = candidates[mask]
    _write_format_and_version(matrix, version, mask)
    return matrix.tolist()
