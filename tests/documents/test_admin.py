import pytest
from django.urls import reverse

from communities.models import Door
from documents.models import Document, DocumentKind
from documents.services import documents_generate
from tests.accounts.factories import UtilityUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sonnenberg_documents(sonnenberg):
    (document,) = documents_generate(
        community=sonnenberg, kinds=[DocumentKind.REGISTRATION], actor=None, door=Door.COMMAND
    )
    return sonnenberg, document


def page(community):
    return reverse("admin:communities_community_formation", args=[community.pk])


def test_documents_are_listed_and_downloadable_by_staff_only(staff, client, sonnenberg_documents):
    community, document = sonnenberg_documents

    html = staff.get(page(community)).content.decode()
    download = reverse("admin:documents_document_download", args=[document.pk])
    assert download in html
    assert document.title in html

    response = staff.get(download)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{document.filename}"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    staff.logout()
    client.force_login(UtilityUserFactory(utility=community.utility))
    assert client.get(download).status_code == 302


def test_the_generate_button_makes_the_documents_in_a_task_after_commit(
    staff, staff_user, sonnenberg, django_capture_on_commit_callbacks
):
    url = reverse("admin:documents_document_generate", args=[sonnenberg.pk])

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = staff.post(url, {"kinds": "formation"}, follow=True)

    assert len(queued) == 1
    assert "Die Dokumente werden erstellt" in response.content.decode()
    assert Document.objects.filter(community=sonnenberg, version=1).count() == 14
    # made in a task, but asked for by a click in the admin: the trail says so
    assert set(Document.objects.filter(community=sonnenberg).values_list("door", "created_by")) == {
        ("admin", staff_user.pk)
    }


def test_the_generate_button_reports_missing_data_at_once(staff, sonnenberg):
    sonnenberg.tariffs.all().delete()
    url = reverse("admin:documents_document_generate", args=[sonnenberg.pk])

    response = staff.post(url, {"kinds": "formation"}, follow=True)

    assert "es fehlt: Tarif (interne Preise) ab Start" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize("kinds", ["invoices", "", "poster"])
def test_an_unknown_kind_of_document_renders_nothing_and_says_so(
    staff, sonnenberg, django_capture_on_commit_callbacks, kinds
):
    url = reverse("admin:documents_document_generate", args=[sonnenberg.pk])

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = staff.post(url, {"kinds": kinds}, follow=True)

    html = response.content.decode()
    assert '<li class="warning">Unbekannte Dokumentart: es wurde nichts erstellt.</li>' in html
    assert "werden erstellt" not in html
    assert queued == []
    assert not Document.objects.exists()
