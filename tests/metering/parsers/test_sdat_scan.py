import numpy as np
import pytest

from metering.parsers import sdat_scan
from tests.metering.parsers.builders import CONSUMER, block, document, sample


@pytest.mark.parametrize("name", ["sdat-e66-v16-leg-2mp.xml", "sdat-e66-v12-basic.xml", "sdat-e31-v13-community.xml"])
def test_the_samples_are_read_without_a_tree_for_their_observations(name):
    data = sample(name)
    scanned = sdat_scan.scan(data, "rsm")
    assert scanned is not None
    assert b"Observation" not in scanned.skeleton
    assert sum(len(observations) for observations in scanned.blocks) == data.count(b"<rsm:Observation>")


def test_observations_keep_their_texts_conditions_and_block():
    data = document(
        block(CONSUMER, ["0.1", "0.2"], conditions=[None, "21"]),
        block(CONSUMER, ["0.3"], pretty=True),
        block(CONSUMER, []),
    )
    scanned = sdat_scan.scan(data, "rsm")
    assert [len(observations) for observations in scanned.blocks] == [2, 1, 0]
    first = scanned.blocks[0]
    assert [first.volume.text(i) for i in range(2)] == ["0.1", "0.2"]
    assert first.volume_numbers.micro.tolist() == [100_000, 200_000]
    assert first.sequence_numbers.micro.tolist() == [1_000_000, 2_000_000]
    assert (first.condition_of.tolist(), first.condition_texts, first.condition_code.tolist()) == (
        [1],
        ["21"],
        [0],
    )
    assert scanned.blocks[1].volume.text(0) == "0.3"


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("</rsm:Volume>", "</rsm:Volume><!-- checked -->", 1),
        lambda t: t.replace("<rsm:Volume>", '<rsm:Volume unit="kWh">', 1),
        lambda t: t.replace("<rsm:Volume>0.1", "<rsm:Volume>&#48;.1", 1),
        lambda t: t.replace("<rsm:Volume>0.1", "<rsm:Volume> 0.1", 1),
        lambda t: t.replace("</rsm:Position><rsm:Volume>", "</rsm:Position>x<rsm:Volume>", 1),
        lambda t: t.replace("</rsm:Position><rsm:Volume>", "</rsm:Position>\x01<rsm:Volume>", 1),
        lambda t: t.replace(
            "<rsm:Position><rsm:Sequence>1</rsm:Sequence></rsm:Position><rsm:Volume>0.1</rsm:Volume>",
            "<rsm:Volume>0.1</rsm:Volume><rsm:Position><rsm:Sequence>1</rsm:Sequence></rsm:Position>",
        ),
        lambda t: t.replace("</rsm:Volume>", "</rsm:Volumx>", 1),
        lambda t: t.replace(
            "<rsm:Sequence>1</rsm:Sequence>", "<rsm:Sequence>1</rsm:Sequence><rsm:Sequence>1</rsm:Sequence>"
        ),
    ],
)
def test_anything_unusual_among_the_observations_makes_the_scan_decline(change):
    data = change(document(block(CONSUMER, ["0.1", "0.2"])).decode()).encode()
    assert sdat_scan.scan(data, "rsm") is None


def test_a_default_namespace_is_scanned_too():
    data = document(block(CONSUMER, ["0.1"])).replace(b"rsm:", b"").replace(b"xmlns:rsm", b"xmlns")
    scanned = sdat_scan.scan(data, None)
    assert scanned is not None and len(scanned.blocks[0]) == 1


def test_a_document_without_blocks_is_left_to_the_tree():
    assert sdat_scan.scan(document(), "rsm") is None


def _chunk(data: bytes, tags: sdat_scan._Tags) -> tuple[bytes, np.ndarray, np.ndarray]:
    runs = sdat_scan._observation_runs(data, tags)
    size = sum(end - start for start, end in runs)
    joined = b"".join([data[start:end] for start, end in runs] + [b"\0" * tags.padding])
    text = np.frombuffer(joined, np.uint8)[:size]
    return joined, text, (text == ord("<")).nonzero()[0]


def _spans(values: sdat_scan._Values, joined: bytes) -> list[list[bytes]]:
    return [
        [joined[start:end] for start, end in zip(*span, strict=True)]
        for span in (values.sequence, values.volume, values.condition)
    ]


def test_plain_observations_are_found_run_by_run_exactly_as_tag_by_tag():
    data = document(block(CONSUMER, ["0.1", "12.5", ""]), block(CONSUMER, ["7"]))
    tags = sdat_scan._Tags("rsm:")
    joined, text, at = _chunk(data, tags)
    plain, tagged = (find(joined, text, at, tags) for find in (sdat_scan._plain_values, sdat_scan._tagged_values))
    assert (
        _spans(plain, joined) == _spans(tagged, joined) == [[b"1", b"2", b"3", b"1"], [b"0.1", b"12.5", b"", b"7"], []]
    )
    assert plain.opens.tolist() == tagged.opens.tolist()
    assert plain.condition_of.tolist() == tagged.condition_of.tolist() == []


@pytest.mark.parametrize(
    "data",
    [
        document(block(CONSUMER, ["0.1", "0.2"], conditions=[None, "21"])),
        document(block(CONSUMER, ["0.1", "0.2"], pretty=True)),
        document(block(CONSUMER, ["0.1", "0.2"])).replace(
            b"</rsm:Observation>\n", b"</rsm:Observation>" + b" " * 17, 1
        ),
        document(block(CONSUMER, ["0.1", "0.2"])).replace(b"</rsm:Observation>\n", b"</rsm:Observation>x", 1),
        document(block(CONSUMER, ["0.1", "0.2"])).replace(b"<rsm:Volume>0.1", b"<rsm:Volume>0 1", 1),
    ],
    ids=["condition", "pretty", "wide gap", "text between", "blank in value"],
)
def test_the_plain_path_leaves_every_other_layout_to_the_tag_by_tag_check(data):
    tags = sdat_scan._Tags("rsm:")
    assert sdat_scan._plain_values(*_chunk(data, tags), tags) is None


def test_a_wide_gap_between_observations_is_still_scanned():
    data = document(block(CONSUMER, ["0.1", "0.2"])).replace(
        b"</rsm:Observation>\n", b"</rsm:Observation>\n" + b" " * 20, 1
    )
    scanned = sdat_scan.scan(data, "rsm")
    assert scanned.blocks[0].volume_numbers.micro.tolist() == [100_000, 200_000]
