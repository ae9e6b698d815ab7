from types import SimpleNamespace

from django.template import Context, Template

from openleg.admin_display import short_column, shortened

MP_ID = "CH1009991234500000100000000000001"


def test_a_metering_point_id_keeps_its_head_and_tail_and_the_full_id_on_hover():
    assert shortened(MP_ID, kind="id") == (f'<span class="ol-short" title="{MP_ID}">CH100999…00000001</span>')


def test_a_hash_and_a_file_name_have_their_own_lengths():
    sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    assert shortened(sha, kind="hash") == f'<span class="ol-short" title="{sha}">9f86d081884c…</span>'
    assert shortened("DEMO-LEG-sonnenberg-dorf-202606_E66.xml", kind="file") == (
        '<span class="ol-short" title="DEMO-LEG-sonnenberg-dorf-202606_E66.xml">DEMO-LEG-sonne…06_E66.xml</span>'
    )


def test_a_value_that_is_short_enough_stays_as_it_is_and_is_escaped():
    assert shortened("CH-1", kind="id") == "CH-1"
    assert shortened("<b>&.xml", kind="file") == "&lt;b&gt;&amp;.xml"
    assert shortened(None, kind="id") == "–"
    assert shortened("", kind="id") == "–"


def test_the_hover_title_is_escaped():
    assert shortened('a"<script>' * 5, kind="hash") == (
        '<span class="ol-short" title="a&quot;&lt;script&gt;a&quot;&lt;script&gt;a&quot;&lt;script&gt;'
        'a&quot;&lt;script&gt;a&quot;&lt;script&gt;">a&quot;&lt;script&gt;a&quot;…</span>'
    )


def test_a_list_column_follows_a_path_and_carries_title_and_ordering():
    column = short_column("metering_point__mp_id", "Messpunkt", kind="id")
    row = SimpleNamespace(metering_point=SimpleNamespace(mp_id=MP_ID))
    assert column(row) == f'<span class="ol-short" title="{MP_ID}">CH100999…00000001</span>'
    assert column.short_description == "Messpunkt"
    assert column.admin_order_field == "metering_point__mp_id"
    assert column.__name__ == "metering_point__mp_id_short"
    assert column(SimpleNamespace(metering_point=None)) == "–"


def test_templates_shorten_through_the_same_helper():
    rendered = Template("{% load openleg_admin %}{{ name|shortened:'file' }}").render(
        Context({"name": "DEMO-LEG-sonnenberg-dorf-202606_E66.xml"})
    )
    assert rendered == (
        '<span class="ol-short" title="DEMO-LEG-sonnenberg-dorf-202606_E66.xml">DEMO-LEG-sonne…06_E66.xml</span>'
    )
