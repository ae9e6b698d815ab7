"""Columns of text cells kept as byte spans into the file, so a million cells cost no Python objects."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_MAX_FACTORIZE_WIDTH = 64


@dataclass(frozen=True, eq=False)
class Cells:
    data: bytes
    start: np.ndarray  # int64 offsets into data
    end: np.ndarray  # int64, exclusive
    encoding: str = "utf-8"

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> "Cells":
        encoded = [text.encode("utf-8") for text in texts]
        lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
        end = np.cumsum(lengths)
        return cls(b"".join(encoded), end - lengths, end)

    @classmethod
    def concat(cls, parts: Sequence["Cells"]) -> "Cells":
        """The cells of several columns one after another; columns of one table share its buffer, no copy."""
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return cls.from_texts([])
        first = parts[0]
        if any(part.data is not first.data or part.encoding != first.encoding for part in parts):
            return cls.from_texts([part.raw_text(i) for part in parts for i in range(len(part))])
        return cls(
            first.data,
            np.concatenate([part.start for part in parts]),
            np.concatenate([part.end for part in parts]),
            first.encoding,
        )

    def __len__(self) -> int:
        return len(self.start)

    @property
    def buffer(self) -> np.ndarray:
        return np.frombuffer(self.data, np.uint8)

    @property
    def lengths(self) -> np.ndarray:
        return self.end - self.start

    def text(self, index: int) -> str:
        return self.data[self.start[index] : self.end[index]].decode(self.encoding, "replace").strip()

    def raw_text(self, index: int) -> str:
        """The cell as written, blanks included."""
        return self.data[self.start[index] : self.end[index]].decode(self.encoding, "replace")

    def take(self, index: np.ndarray | slice) -> "Cells":
        return Cells(self.data, self.start[index], self.end[index], self.encoding)

    def count_byte(self, byte: int) -> int:
        """How often a byte occurs inside the cells (cells must be in file order, as table columns are)."""
        found = np.flatnonzero(self.buffer == byte)
        if not len(found) or not len(self):
            return 0
        cell = np.searchsorted(self.start, found, side="right") - 1
        inside = (cell >= 0) & (found < self.end[np.maximum(cell, 0)])
        return int(np.count_nonzero(inside))

    def in_order(self) -> bool:
        return len(self) < 2 or bool((self.start[1:] >= self.start[:-1]).all())

    def in_file_order(self) -> "Cells":
        """The same cells sorted by position (a table's columns already are, each of them)."""
        return self if self.in_order() else self.take(np.argsort(self.start, kind="stable"))

    def matrix(self, width: int) -> np.ndarray:
        """The first ``width`` bytes of every cell, NUL-padded, one row per cell."""
        buffer, lengths = self.buffer, self.lengths
        out = np.zeros((len(self), width), np.uint8)
        whole = self.start + width <= len(buffer)  # rows that can be copied as one window of the buffer
        if len(buffer) >= width:
            out[whole] = np.lib.stride_tricks.sliding_window_view(buffer, width)[self.start[whole]]
        for row in np.flatnonzero(~whole):
            cell = buffer[self.start[row] : self.end[row]][:width]
            out[row, : len(cell)] = cell
        out[np.arange(width) >= lengths[:, None]] = 0
        return out

    def factorize(self) -> tuple[np.ndarray, list[str]]:
        """A code per cell and the distinct (stripped) texts in order of first appearance."""
        if not len(self):
            return np.zeros(0, np.int64), []
        width = int(self.lengths.max())
        if width > _MAX_FACTORIZE_WIDTH:
            return _factorize_texts([self.text(i) for i in range(len(self))])
        rows = self.matrix(max(width, 1))
        # Files repeat a value over long runs (a metering point, a quality mark): only run heads are compared.
        changed = np.ones(len(self), bool)
        changed[1:] = (rows[1:] != rows[:-1]).any(axis=1)
        heads = np.flatnonzero(changed)
        keys = np.ascontiguousarray(rows[heads]).view(f"S{rows.shape[1]}").ravel()
        distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        texts = [value.decode(self.encoding, "replace").strip() for value in distinct]
        order = np.argsort(first, kind="stable")  # codes numbered by first appearance
        rank = np.empty(len(order), np.int64)
        rank[order] = np.arange(len(order))
        head_codes, names = _merge_equal_texts(rank[inverse.ravel()], [texts[i] for i in order])
        return head_codes[np.cumsum(changed) - 1], names


def _factorize_texts(texts: list[str]) -> tuple[np.ndarray, list[str]]:
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(text, len(index)) for text in texts), np.int64, len(texts))
    return codes, list(index)


def _merge_equal_texts(codes: np.ndarray, texts: list[str]) -> tuple[np.ndarray, list[str]]:
    """Cells differing only in surrounding blanks are the same value."""
    index: dict[str, int] = {}
    remap = np.fromiter((index.setdefault(text, len(index)) for text in texts), np.int64, len(texts))
    return remap[codes], list(index)
