"""XML for SDAT: lxml settings safe for uploads, the root element from the first bytes, element helpers."""

import io
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

STROM_NS = "http://www.strom.ch"
# Uploaded files are untrusted: no entity expansion, no DTD or network access.
SAFE_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False}


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(collect_ids=False, **SAFE_OPTIONS)


@dataclass(frozen=True)
class XmlRoot:
    namespace: str
    name: str  # local name, e.g. "ValidatedMeteredData_16"
    prefix: str | None
    doctype: bool = False  # the document declares a DOCTYPE (in whatever encoding it is written)


@dataclass(frozen=True)
class XmlError:
    line: int
    detail: str


def peek_root(data: bytes) -> XmlRoot | XmlError:
    """The root element, parsing no further than needed to reach it."""
    try:
        for _, element in etree.iterparse(io.BytesIO(data), events=("start",), **SAFE_OPTIONS):
            namespace, name = split_tag(element.tag)
            if ":" in name:  # libxml2 names the element "prefix:name" and only complains further on
                prefix, _, local = name.partition(":")
                return XmlError(element.sourceline or 1, f"Namespace prefix {prefix} on {local} is not defined")
            docinfo = element.getroottree().docinfo
            return XmlRoot(namespace, name, element.prefix, bool(docinfo.doctype) or docinfo.internalDTD is not None)
    except etree.XMLSyntaxError as exc:
        return XmlError(exc.lineno or 1, exc.msg)
    return XmlError(1, "the document has no element")


def split_tag(tag: object) -> tuple[str, str]:
    """Namespace and local name of an element's tag; two empty texts for comments and processing instructions."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def local_name(element: etree._Element) -> str:
    return split_tag(element.tag)[1]


@lru_cache(maxsize=256)  # the same few paths for every MeteringData block
def ns_path(steps: str) -> str:
    return "/".join(f"{{{STROM_NS}}}{step}" for step in steps.split("/"))


def find_text(element: etree._Element, steps: str) -> str | None:
    found = element.findtext(ns_path(steps))
    return found.strip() if found is not None else None


def find_code(element: etree._Element, steps: str) -> str | None:
    """A code written as element text (SDAT 1.2) or in an ebIXCode/VSENationalCode child (1.6)."""
    node = element.find(ns_path(steps))
    if node is None:
        return None
    if node.text and node.text.strip():
        return node.text.strip()
    for child in ("ebIXCode", "VSENationalCode"):
        code = find_text(node, child)
        if code:
            return code
    return None
