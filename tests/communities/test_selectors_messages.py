"""A record a user may not see is 'not found' in German, the same words whether it exists elsewhere or not."""

import pytest

from communities.selectors import community_get
from documents.selectors import document_visible_to
from openleg.errors import NotFound

pytestmark = pytest.mark.django_db


def test_an_unknown_or_foreign_community_or_document_is_not_found_in_german(staff_user):
    with pytest.raises(NotFound) as community:
        community_get(user=staff_user, pk=987654)
    with pytest.raises(NotFound) as document:
        document_visible_to(user=staff_user, pk=987654)

    assert community.value.message == "Keine Gemeinschaft mit der Nummer 987654, die Sie sehen dürfen."
    assert document.value.message == "Kein Dokument mit der Nummer 987654, das Sie sehen dürfen."
