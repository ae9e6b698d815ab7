from django.template import Context, Template


def render(source: str, **context) -> str:
    return Template("{% load document_format %}" + source).render(Context(context))


def test_lines_joins_escaped_values_with_newlines_for_a_pre_line_block():
    assert render("{{ values|lines }}", values=["CH93 0076", '<b>Müller & "Söhne"</b>', "8000 Zürich"]) == (
        "CH93 0076\n&lt;b&gt;Müller &amp; &quot;Söhne&quot;&lt;/b&gt;\n8000 Zürich"
    )


def test_lines_keeps_each_value_on_one_line_and_drops_empty_ones():
    values = ["Weiherweg\n7", "", "  8002   Zürich \r\n"]
    assert render("{{ values|lines }}", values=values) == "Weiherweg 7\n8002 Zürich"
