import pytest
from django.urls import reverse

from communities.models import Door
from documents.models import DocumentKind
from documents.services import documents_generate
from tests.accounts.factories import UtilityUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(sonnenberg):
    (document,) = documents_generate(
        community=sonnenberg, kinds=[DocumentKind.REGISTRATION], actor=None, door=Door.COMMAND
    )
    return document


def test_the_utility_sees_formation_rules_and_documents_of_its_community(client, sonnenberg, registration):
    client.force_login(UtilityUserFactory(utility=sonnenberg.utility))

    html = client.get(reverse("portal:community", args=[sonnenberg.pk])).content.decode()

    assert "Gründung: Entwurf" in html  # master data alone: documents.demo forms the demo communities
    assert "Alle 12 Messpunkte haben ein intelligentes Messsystem." in html
    assert reverse("portal_documents:download", args=[registration.pk]) in html


def test_the_utility_downloads_its_own_documents(client, sonnenberg, registration):
    client.force_login(UtilityUserFactory(utility=sonnenberg.utility))

    response = client.get(reverse("portal_documents:download", args=[registration.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_another_utility_gets_404_for_a_foreign_document(client, registration):
    client.force_login(UtilityUserFactory())

    assert client.get(reverse("portal_documents:download", args=[registration.pk])).status_code == 404


def test_anonymous_users_are_sent_to_the_login(client, registration):
    response = client.get(reverse("portal_documents:download", args=[registration.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
