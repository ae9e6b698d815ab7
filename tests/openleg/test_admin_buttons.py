"""One admin stylesheet and one set of buttons: every custom admin template uses ol-btn primary/secondary/danger."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted((Path(settings.BASE_DIR) / "templates" / "admin").rglob("*.html"))
KIND = r"ol-btn-(?:primary|secondary|danger)"
BUTTON_CLASS = re.compile(
    rf'class="ol-btn (?:{KIND}|{{% if [^%]+%}}{KIND}(?:{{% elif [^%]+%}}{KIND})*{{% else %}}{KIND}{{% endif %}})"'
)


def _buttons(text: str) -> list[str]:
    """Submit inputs, buttons, and the links of action lists (each ``<li><a …>``)."""
    return re.findall(r'<input type="submit"[^>]*>|<button[^>]*>|<li><a [^>]*>', text)


def test_the_custom_admin_templates_are_found():
    assert len(TEMPLATES) >= 40


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_every_button_of_a_custom_admin_template_is_one_of_the_three_kinds(template):
    text = template.read_text()

    assert [tag for tag in _buttons(text) if not BUTTON_CLASS.search(tag)] == []
    assert re.findall(r'class="(?:default|closelink|button|addlink|button cancel-link)"', text) == []
    assert "position:static" not in text


def test_the_three_kinds_are_styled_in_the_one_admin_stylesheet():
    css = (Path(settings.BASE_DIR) / "openleg" / "static" / "openleg" / "admin.css").read_text()

    for name in (".ol-btn-primary", ".ol-btn-secondary", ".ol-btn-danger", ".ol-short", ".ol-actions"):
        assert f"{name} {{" in css or f"{name},\n" in css, name


@pytest.mark.django_db
def test_every_admin_page_loads_the_stylesheet_after_djangos(staff):
    page = staff.get("/admin/communities/community/").content.decode()

    ours = page.index('<link rel="stylesheet" href="/static/openleg/admin.css">')
    assert ours > page.index('href="/static/admin/css/changelists.css"')
