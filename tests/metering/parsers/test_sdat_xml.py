from metering.parsers.sdat_xml import XmlError, XmlRoot, peek_root


def test_peek_root_reads_past_declaration_and_comments():
    data = b'<?xml version="1.0"?>\n<!-- synthetic -->\n<rsm:AggregatedMeteredData_13 xmlns:rsm="http://www.strom.ch">'
    assert peek_root(data) == XmlRoot("http://www.strom.ch", "AggregatedMeteredData_13", "rsm")


def test_peek_root_reports_syntax_errors_with_their_line():
    result = peek_root(b"<?xml version='1.0'?>\n\n<a <b>")
    assert isinstance(result, XmlError) and result.line == 3


def test_entities_are_not_expanded():
    data = b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r xmlns="urn:x">&e;</r>'
    assert peek_root(data) == XmlRoot("urn:x", "r", None, doctype=True)
