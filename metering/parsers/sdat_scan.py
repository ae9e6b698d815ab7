"""SDAT Observations read straight from the bytes, without building an XML tree for them.

A month of quarter-hours for a few hundred metering points is about 100 MB of XML, and an lxml tree of it
takes seconds to build. Observations are regular — ``Position/Sequence``, ``Volume``, optional
``Condition`` — so they are located with numpy instead: every tag between the first and the last
Observation of a MeteringData block must be one of ten exact byte strings, in the order the schema gives,
with nothing but whitespace between tags and values. That makes those runs well-formed XML with a known
meaning. The rest of the document, with the runs cut out, is still parsed by lxml, so errors anywhere else
are caught as before. When anything deviates (comments, entities, attributes, another prefix, blanks inside
values) the scan declines and the caller parses the whole tree: the same result, only slower.

Most files write every observation the same way, without a Condition: three fixed runs of tags with a
Sequence and a Volume between them. Those are checked a run at a time (``_plain_values``), which is about
three times cheaper than naming every tag; any other chunk goes through the tag-by-tag check.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from metering.parsers.cells import Cells
from metering.parsers.decimals import Decimals, parse_decimals

_NAMES = ("Observation", "Position", "Sequence", "Volume", "Condition")
(
    OBSERVATION,
    OBSERVATION_END,
    POSITION,
    POSITION_END,
    SEQUENCE,
    SEQUENCE_END,
    VOLUME,
    VOLUME_END,
    CONDITION,
    CONDITION_END,
) = range(10)  # tag kinds: each name opening, then closing
_FOLLOWS = {  # the order the schema gives
    OBSERVATION: (POSITION,),
    POSITION: (SEQUENCE,),
    SEQUENCE: (SEQUENCE_END,),
    SEQUENCE_END: (POSITION_END,),
    POSITION_END: (VOLUME,),
    VOLUME: (VOLUME_END,),
    VOLUME_END: (CONDITION, OBSERVATION_END),
    CONDITION: (CONDITION_END,),
    CONDITION_END: (OBSERVATION_END,),
    OBSERVATION_END: (OBSERVATION,),
}
_OTHER = len(_NAMES) * 2
_ALLOWED = np.zeros((_OTHER + 1, _OTHER + 1), bool)
for _kind, _next in _FOLLOWS.items():
    _ALLOWED[_kind, list(_next)] = True
_ALLOWED_PAIRS = _ALLOWED.ravel()  # index: kind * (_OTHER + 1) + next kind
_HAS_VALUE = np.isin(np.arange(_OTHER + 1), (SEQUENCE, VOLUME, CONDITION))
_CHUNK_BYTES = 2_000_000
_THREADS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True, eq=False)
class Observations:
    """The observations of one MeteringData block, in document order, with their numbers parsed."""

    sequence: Cells
    volume: Cells
    sequence_numbers: Decimals
    volume_numbers: Decimals
    condition: Cells  # only for the observations that carry one
    condition_of: np.ndarray  # index of the observation each condition belongs to
    condition_code: np.ndarray  # index into condition_texts, per condition
    condition_texts: list[str]  # the distinct condition codes as written
    incomplete: np.ndarray  # bool per observation: Sequence or Volume missing (the tree path reports it)

    @classmethod
    def parse(
        cls,
        sequence: Cells,
        volume: Cells,
        condition: Cells,
        condition_of: np.ndarray,
        incomplete: np.ndarray | None = None,
    ) -> "Observations":
        codes, texts = condition.factorize()
        if incomplete is None:
            incomplete = np.zeros(len(sequence), bool)
        return cls(
            sequence,
            volume,
            parse_decimals(sequence),
            parse_decimals(volume),
            condition,
            condition_of,
            codes,
            texts,
            incomplete,
        )

    @classmethod
    def empty(cls) -> "Observations":
        nothing = Cells.from_texts([])
        return cls.parse(nothing, nothing, nothing, np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.sequence)

    def part(self, first: int, last: int) -> "Observations":
        lo, hi = np.searchsorted(self.condition_of, (first, last))
        part, conditions = slice(first, last), slice(lo, hi)
        return Observations(
            self.sequence.take(part),
            self.volume.take(part),
            self.sequence_numbers.take(part),
            self.volume_numbers.take(part),
            self.condition.take(conditions),
            self.condition_of[conditions] - first,
            self.condition_code[conditions],
            self.condition_texts,
            self.incomplete[part],
        )


@dataclass(frozen=True, eq=False)
class Scan:
    skeleton: bytes  # the document with the observation runs cut out
    blocks: list[Observations]  # one per MeteringData block, in document order


def scan(data: bytes, prefix: str | None) -> Scan | None:
    """Observations of every MeteringData block, or None when the document is not plain enough for this."""
    tags = _Tags(f"{prefix}:" if prefix else "")
    runs = _observation_runs(data, tags) if len(tags.prefix) <= 6 else None
    if runs is None:
        return None
    blocks: list[Observations] = []
    # numpy lets go of the GIL while it works on a chunk: chunks are scanned on as many threads as there are cores.
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        for found in pool.map(lambda chunk: _scan_chunk(data, chunk, tags), _chunks(runs)):
            if found is None:
                pool.shutdown(cancel_futures=True)
                return None
            blocks += found
    return Scan(_skeleton(data, runs), blocks)


def _chunks(runs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Runs grouped into pieces of a few MB: numpy's temporaries then stay in the processor's cache."""
    chunks: list[list[tuple[int, int]]] = [[]]
    size = 0
    for run in runs:
        if size > _CHUNK_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(run)
        size += run[1] - run[0]
    return chunks


def _scan_chunk(data: bytes, runs: list[tuple[int, int]], tags: "_Tags") -> list[Observations] | None:
    lengths = np.array([end - start for start, end in runs], np.int64)
    size = int(lengths.sum())
    if not size:
        return [Observations.empty() for _ in runs]
    view = memoryview(data)  # slices of a view are not copied before the join
    joined = b"".join([view[start:end] for start, end in runs] + [b"\0" * tags.padding])
    if joined.find(b"&", 0, size) >= 0:
        return None
    text = np.frombuffer(joined, np.uint8)[:size]
    at = (text == ord("<")).nonzero()[0]
    found = _plain_values(joined, text, at, tags) or _tagged_values(joined, text, at, tags)
    if found is None:
        return None
    everything = Observations.parse(
        Cells(joined, *found.sequence),
        Cells(joined, *found.volume),
        Cells(joined, *found.condition),
        found.condition_of,
    )
    run_of_observation = np.searchsorted(np.cumsum(lengths), found.opens, side="right")
    offsets = np.concatenate(([0], np.cumsum(np.bincount(run_of_observation, minlength=len(runs)))))
    return [everything.part(int(offsets[k]), int(offsets[k + 1])) for k in range(len(runs))]


@dataclass(frozen=True, eq=False)
class _Values:
    """Where the observations of a chunk start and where their values stand (start and end offsets)."""

    opens: np.ndarray  # position of every Observation's "<"
    sequence: tuple[np.ndarray, np.ndarray]
    volume: tuple[np.ndarray, np.ndarray]
    condition: tuple[np.ndarray, np.ndarray]
    condition_of: np.ndarray  # index of the observation each condition belongs to


def _plain_values(joined: bytes, text: np.ndarray, at: np.ndarray, tags: "_Tags") -> _Values | None:
    """Observations written as ``<Observation><Position><Sequence>S</Sequence></Position><Volume>V</Volume>
    </Observation>``, with blanks only between observations; None for anything else (a Condition, say).

    Each of the three fixed runs holds a known number of tags, so every eighth "<" opens an observation and the
    values end where the next run starts; comparing the three runs in full makes every tag exact.
    """
    runs = tags.plain_runs
    per_observation = sum(run.tags for run in runs)
    if not len(at) or len(at) % per_observation:
        return None
    opening, middle, closing = runs
    opens = at[0::per_observation]
    sequence_end = at[opening.tags :: per_observation]
    volume_end = at[opening.tags + middle.tags :: per_observation]
    if not (
        opening.found_at(joined, opens)
        and middle.found_at(joined, sequence_end)
        and closing.found_at(joined, volume_end)
    ):
        return None
    sequence = (opens + opening.length, sequence_end)
    volume = (sequence_end + middle.length, volume_end)
    gaps = (volume_end + closing.length, np.append(opens[1:], len(text)))
    tag_bytes = len(opens) * sum(run.length for run in runs)
    inside = tag_bytes + _total_length(*sequence) + _total_length(*volume)
    # Blanks only between observations, and none inside a value (then every byte of tags and values is visible).
    if not (_only_blanks_in(joined, *gaps) and int(np.count_nonzero(text > 32)) == inside):
        return None
    nothing = np.zeros(0, np.int64)
    return _Values(opens, sequence, volume, (nothing, nothing), nothing)


def _tagged_values(joined: bytes, text: np.ndarray, at: np.ndarray, tags: "_Tags") -> _Values | None:
    """Observations in any order the schema allows (Conditions included), checked tag by tag."""
    tokens = _tokens(joined, text, at, tags)
    if tokens is None:
        return None
    value_kind = tokens.kind[tokens.value_tag]

    def values(of_kind: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        chosen = (value_kind == of_kind).nonzero()[0]
        return (tokens.value_start[chosen], tokens.value_end[chosen]), tokens.value_tag[chosen]

    (sequence, _), (volume, _), (condition, condition_tag) = (values(k) for k in (SEQUENCE, VOLUME, CONDITION))
    opened = tokens.kind == OBSERVATION
    return _Values(tokens.at[opened], sequence, volume, condition, np.cumsum(opened)[condition_tag] - 1)


_BLANK = np.isin(np.arange(256), [9, 10, 13, 32])
_WIDEST_GAP = 16  # bytes between two observations that the plain path looks at one by one


def _only_blanks_in(joined: bytes, start: np.ndarray, end: np.ndarray) -> bool:
    """Whether the spans hold nothing but blanks, each at most 16 bytes (``joined`` padded by as many)."""
    lengths = end - start
    widest = int(lengths.max(initial=0))
    if widest > _WIDEST_GAP:
        return False
    column = np.arange(widest)
    found = np.frombuffer(joined, np.uint8)[start[:, None] + column]
    return bool((_BLANK[found] | (column >= lengths[:, None])).all())


def _total_length(start: np.ndarray, end: np.ndarray) -> int:
    return int((end - start).sum())


def _only_blanks_outside(text: np.ndarray, inside: int) -> bool:
    """True when every visible byte lies in the tags and values (``inside`` bytes, all of which must be visible)
    and there is no control character: between tags there are only blanks, and no value holds one."""
    visible = int(np.count_nonzero(text > 32))
    low = text[text < 32]
    controls = np.count_nonzero((low != 10) & (low != 13) & (low != 9))
    return not controls and visible == inside


@dataclass(frozen=True, eq=False)
class _FixedRun:
    """A run of tags that must stand exactly as written."""

    written: bytes

    @property
    def length(self) -> int:
        return len(self.written)

    @property
    def tags(self) -> int:
        return self.written.count(b"<")

    def found_at(self, joined: bytes, positions: np.ndarray) -> bool:
        """Whether the run stands at every position: one copy of all those places, compared as one byte string
        (``joined`` must hold a run's length past each position)."""
        windows = np.lib.stride_tricks.sliding_window_view(np.frombuffer(joined, np.uint8), len(self.written))
        return windows[positions].tobytes() == self.written * len(positions)


class _Tags:
    """The ten exact tags for a namespace prefix, as 64-bit words for comparing many tags at once."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.encode("ascii", "replace")
        names = [name.encode() for name in _NAMES]
        self.bytes = [
            tag for name in names for tag in (b"<" + self.prefix + name + b">", b"</" + self.prefix + name + b">")
        ]
        self.length = np.array([len(tag) for tag in self.bytes] + [0], np.int64)
        self.words = (max(len(tag) for tag in self.bytes) - 1 + 7) // 8
        width = 8 * self.words
        bodies = [tag[1:].ljust(width, b"\0") for tag in self.bytes]
        masks = [(b"\xff" * (len(tag) - 1)).ljust(width, b"\0") for tag in self.bytes]
        # Row _OTHER stands for any other tag: its transitions are all forbidden, so its words do not matter.
        self.expected = [
            np.array([np.frombuffer(b, "<u8")[word] for b in bodies] + [0], np.uint64) for word in range(self.words)
        ]
        self.mask = [
            np.array([np.frombuffer(m, "<u8")[word] for m in masks] + [0], np.uint64) for word in range(self.words)
        ]
        self.full = [bool((mask[:-1] == np.iinfo(np.uint64).max).all()) for mask in self.mask]
        self.kind_of_key = np.full(1 << 16, _OTHER, np.int64)
        shift = len(self.prefix)  # the two bytes after the prefix tell the ten tags apart
        for kind, body in enumerate(bodies):
            self.kind_of_key[body[shift] | body[shift + 1] << 8] = kind
        self.key_shift = shift
        tag = self.bytes
        self.plain_runs = (
            _FixedRun(tag[OBSERVATION] + tag[POSITION] + tag[SEQUENCE]),
            _FixedRun(tag[SEQUENCE_END] + tag[POSITION_END] + tag[VOLUME]),
            _FixedRun(tag[VOLUME_END] + tag[OBSERVATION_END]),
        )
        # NUL bytes after a chunk, so that words, runs and blanks read at its end stay inside the buffer.
        self.padding = max(8 * self.words, *(run.length for run in self.plain_runs)) + 8

    def kinds(self, first_word: np.ndarray) -> np.ndarray:
        if self.key_shift % 2 == 0:  # the key is one of the word's 16-bit halves: a view, no arithmetic
            return self.kind_of_key[first_word.view("<u2")[self.key_shift // 2 :: 4]]
        return self.kind_of_key[((first_word >> np.uint64(8 * self.key_shift)) & np.uint64(0xFFFF)).astype(np.int64)]

    def matches(self, word: int, found: np.ndarray, kind: np.ndarray) -> np.ndarray:
        expected = np.take(self.expected[word], kind)
        return found == expected if self.full[word] else (found & np.take(self.mask[word], kind)) == expected


def _observation_runs(data: bytes, tags: _Tags) -> list[tuple[int, int]] | None:
    """Byte range from the first Observation to the end of the last one, per MeteringData block."""
    block_start = b"<" + tags.prefix + b"MeteringData>"
    block_end = b"</" + tags.prefix + b"MeteringData>"
    # A block this does not find (attributes on its tag, say) keeps its observations in the skeleton; the
    # caller then sees more blocks in the tree than runs here and parses the whole tree instead.
    runs, position = [], 0
    while (start := data.find(block_start, position)) >= 0:
        end = data.find(block_end, start)
        if end < 0:
            return None
        run_start = data.find(tags.bytes[OBSERVATION], start, end)
        run_end = data.rfind(tags.bytes[OBSERVATION_END], start, end) + len(tags.bytes[OBSERVATION_END])
        runs.append((run_start, run_end) if run_start >= 0 else (start, start))
        position = end
    return runs or None


@dataclass(frozen=True, eq=False)
class _Tokens:
    at: np.ndarray  # position of every tag's "<"
    kind: np.ndarray  # which of the ten tags
    value_tag: np.ndarray  # index (into at) of each tag followed by a value: Sequence, Volume, Condition
    value_start: np.ndarray
    value_end: np.ndarray


def _tokens(joined: bytes, text: np.ndarray, at: np.ndarray, tags: _Tags) -> _Tokens | None:
    """Every tag and value; None unless all tags are exact, well ordered, with only blanks between."""
    words = np.ndarray((len(joined) - 7,), np.dtype("<u8"), buffer=joined, strides=(1,))
    first_word = words[at + 1]
    kind = tags.kinds(first_word)
    exact = tags.matches(0, first_word, kind)
    for word in range(1, tags.words):
        exact &= tags.matches(word, words[at + 1 + 8 * word], kind)
    if not exact.all() or kind[0] != OBSERVATION or kind[-1] != OBSERVATION_END:
        return None
    if not _ALLOWED_PAIRS.take(kind[:-1] * (_OTHER + 1) + kind[1:]).all():
        return None
    value_tag = _HAS_VALUE.take(kind).nonzero()[0]  # never the last tag, which closes an Observation
    value_start = at[value_tag] + tags.length.take(kind[value_tag])
    value_end = at[value_tag + 1]
    if not _only_blanks_outside(text, int(tags.length.take(kind).sum()) + _total_length(value_start, value_end)):
        return None  # control characters, something other than blanks between tags, or blanks inside a value
    return _Tokens(at, kind, value_tag, value_start, value_end)


def _skeleton(data: bytes, runs: list[tuple[int, int]]) -> bytes:
    """The document without its observation runs (line numbers shift; an error there is re-read in full)."""
    pieces, position = [], 0
    for start, end in runs:
        pieces.append(data[position:start])
        position = max(position, end)
    pieces.append(data[position:])
    return b"".join(pieces)
