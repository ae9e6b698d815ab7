from lxml import etree

from metering.parsers.base import Issues
from metering.parsers.sdat_blocks import observations_from_tree
from metering.parsers.sdat_xml import ns_path
from tests.metering.parsers.builders import CONSUMER, block, document


def first_block(data: bytes) -> etree._Element:
    return etree.fromstring(data).find(ns_path("MeteringData"))


def test_the_tree_path_reads_all_observations_at_once():
    element = first_block(document(block(CONSUMER, ["0.1", "0.2", "0.3"], conditions=[None, "21", "56"])))
    observations = observations_from_tree(element, 1, Issues())
    assert [observations.volume.text(i) for i in range(3)] == ["0.1", "0.2", "0.3"]
    assert observations.condition_of.tolist() == [1, 2]
    assert [observations.condition_texts[c] for c in observations.condition_code] == ["21", "56"]
    assert observations.incomplete.tolist() == [False, False, False]


def test_an_irregular_observation_is_read_singly_and_named():
    data = document(block(CONSUMER, ["0.1", "0.2"])).replace(b"<rsm:Volume>0.1</rsm:Volume>", b"", 1)
    issues = Issues()
    observations = observations_from_tree(first_block(data), 4, issues)
    assert observations.incomplete.tolist() == [True, False]
    assert [(p.code, p.location) for p in issues.problems] == [("missing_element", "MeteringData #4, Observation 1")]
