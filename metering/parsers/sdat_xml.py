"""XML for SDAT: lxml settings safe for uploads, the root element from the first bytes, element helpers."""

import io
import re
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
    """Where and why XML is broken: a stable ``reason`` (metering.messages says it in German) with the element and
    line it concerns; ``detail`` is libxml2's English text for logs and machines."""

    line: int
    detail: str
    column: int = 0
    reason: str = "malformed"
    element: str = ""
    since_line: int = 0  # where the element concerned starts
    closing: str = ""  # the end tag that does not match

    def params(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "reason": self.reason,
            "element": self.element,
            "since_line": self.since_line,
            "closing": self.closing,
            "detail": self.detail,
        }


_REASON_BY_CODE = {
    4: "empty",
    5: "extra_content",
    9: "invalid_character",
    22: "entity",
    23: "entity",
    24: "entity",
    26: "entity",
    27: "entity",
    38: "attribute",
    39: "attribute",
    40: "attribute",
    41: "attribute",
    42: "attribute",
    65: "attribute",
    73: "unclosed_tag",
    76: "mismatch",
    77: "unfinished",
    201: "namespace",
}
_POSITION = re.compile(r", line \d+, column \d+$")  # lxml appends the position to libxml2's text
_UNFINISHED = re.compile(r"in tag (?P<element>\S+) line (?P<line>\d+)")
_PREFIX = re.compile(r"prefix (\S+) ")
_MISMATCH = re.compile(r"mismatch: (?P<element>\S+) line (?P<line>\d+) and (?P<closing>\S+)")


def xml_error(exc: etree.XMLSyntaxError) -> XmlError:
    detail = _POSITION.sub("", exc.msg or "")
    line, column = exc.position if exc.position else (exc.lineno or 1, 0)
    reason = _REASON_BY_CODE.get(exc.code, "malformed")
    lowered = detail.lower()
    if "attribute" in lowered or "attvalue" in lowered:
        reason = "attribute"
    elif "encoding" in lowered:
        reason = "encoding"
    elif "depth" in lowered:
        reason = "too_deep"
    if reason == "namespace":
        prefix = _PREFIX.search(detail)
        return XmlError(line or 1, detail, column or 0, reason, element=prefix[1] if prefix else "")
    found = (_MISMATCH if reason == "mismatch" else _UNFINISHED).search(detail)
    if reason in ("mismatch", "unfinished") and found is None:
        reason = "malformed"
    if found is None or reason not in ("mismatch", "unfinished"):
        return XmlError(line or 1, detail, column or 0, reason)
    return XmlError(
        line or 1,
        detail,
        column or 0,
        reason,
        element=found["element"],
        since_line=int(found["line"]),
        closing=found.groupdict().get("closing") or "",
    )


def peek_root(data: bytes) -> XmlRoot | XmlError:
    """The root element, parsing no further than needed to reach it."""
    try:
        for _, element in etree.iterparse(io.BytesIO(data), events=("start",), **SAFE_OPTIONS):
            namespace, name = split_tag(element.tag)
            if ":" in name:  # libxml2 names the element "prefix:name" and only complains further on
                prefix, _, local = name.partition(":")
                line = element.sourceline or 1
                detail = f"Namespace prefix {prefix} on {local} is not defined"
                return XmlError(line, detail, reason="namespace", element=prefix)
            docinfo = element.getroottree().docinfo
            return XmlRoot(namespace, name, element.prefix, bool(docinfo.doctype) or docinfo.internalDTD is not None)
    except etree.XMLSyntaxError as exc:
        return xml_error(exc)
    return XmlError(1, "the document has no element", reason="empty")


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
