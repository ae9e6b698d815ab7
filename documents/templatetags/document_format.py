"""Lines of text and addresses in documents (numbers, amounts and dates: the project-wide filters in
openleg.templatetags.formats)."""

import re
from collections.abc import Iterable

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def lines(values: Iterable[str]) -> SafeString:
    """Values as the lines of one ``white-space: pre-line`` block (class ``lines`` in print.css), each escaped.

    WeasyPrint lays out one block of several lines far faster than a block per line (about an eighth of the work);
    a value never spans lines here: its own line breaks and runs of spaces become one space, empty values go.
    """
    one_line = (" ".join(str(value).split()) for value in values)
    return mark_safe("\n".join(conditional_escape(value) for value in one_line if value))


@register.filter
def party(value) -> SafeString:
    """A participant, utility or community with its address in a sentence or a cell: "Beat Brunner, Dorfstrasse 3,
    3000 Bern". Commas only between parts that exist; street and number, postcode and town never broken apart (a
    ``nowrap`` span rather than a no-break space: a PDF font maps one glyph to one character, so one no-break space
    would turn every space of the document into one when its text is copied or searched)."""
    name = getattr(value, "display_name", None) or value.name
    return format_html(
        "{}, {}",
        name,
        format_html_join(", ", '<span class="nowrap">{}</span>', ((line,) for line in value.address_lines)),
    )


# "Dorfstrasse 3", "Im Feld 12a": a word and the house number after it
_STREET_NUMBER = re.compile(r"[^\W\d][\w.-]* \d+[a-zA-Z]?\b")


@register.filter
def street_numbers(value: str) -> SafeString:
    """Free text (a site, "Dorfstrasse 3, Sonnenberg") with each street kept on one line with its number."""
    escaped = str(conditional_escape(value))
    return mark_safe(_STREET_NUMBER.sub(lambda match: f'<span class="nowrap">{match.group(0)}</span>', escaped))
