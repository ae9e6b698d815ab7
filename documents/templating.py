"""Document templates render strictly: a value the template asks for and the data lacks stops the
generation with a message naming it, so that no placeholder ever reaches a PDF.
"""

import re
from functools import cache

from django.conf import settings
from django.template import Context, Engine
from django.utils.translation import gettext as _

from openleg.errors import DomainError

_MISSING_MARK = "\x00missing:%s\x00"
_MISSING = re.compile("\x00missing:(.*?)\x00")


class DocumentDataMissing(DomainError):
    code = "document_data_missing"

    def __init__(self, document: str, missing: list[str]) -> None:
        super().__init__(
            _("%(document)s kann nicht erstellt werden, es fehlt: %(missing)s.")
            % {"document": document, "missing": "; ".join(missing)}
        )
        self.missing = missing


@cache
def _engine() -> Engine:
    return Engine(
        dirs=[settings.BASE_DIR / "templates"],
        string_if_invalid=_MISSING_MARK,
        builtins=[
            "django.templatetags.i18n",
            "django.templatetags.l10n",
            "openleg.templatetags.formats",
            "documents.templatetags.document_format",
        ],
    )


def render_document_html(template_name: str, context: dict, *, document: str) -> str:
    """Render ``template_name`` with every value escaped; refuse if a value is missing."""
    html = _engine().get_template(template_name).render(Context(context, autoescape=True))
    missing = sorted(set(_MISSING.findall(html)))
    if missing:
        raise DocumentDataMissing(document, missing)
    return html


def require(document: str, values: dict[str, object]) -> None:
    """Stop before rendering when a value the document needs is empty; ``values`` maps labels to values."""
    missing = [label for label, value in values.items() if value is None or value == "" or value == []]
    if missing:
        raise DocumentDataMissing(document, missing)
