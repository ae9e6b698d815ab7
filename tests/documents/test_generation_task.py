import pytest

from communities.models import Door
from documents.models import Document
from documents.tasks import generate_documents
from tests.accounts.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def test_the_task_generates_once_and_is_safe_to_run_twice(talwil):
    staff = StaffUserFactory()

    first = generate_documents(talwil.pk, ["agreement", "registration"], staff.pk)
    second = generate_documents(talwil.pk, ["agreement", "registration"], staff.pk)

    assert first == second
    documents = Document.objects.filter(pk__in=first).order_by("kind")
    assert [(d.kind, d.version, d.door, d.created_by) for d in documents] == [
        ("agreement", 1, Door.TASK, staff),
        ("registration", 1, Door.TASK, staff),
    ]
    assert Document.objects.count() == 2
