import hashlib
from decimal import Decimal

import pytest

from communities.models import Door, Tariff
from documents.models import Document, DocumentKind, SignatureState
from documents.services import FORMATION_KINDS, documents_generate
from documents.templating import DocumentDataMissing
from tests.accounts.factories import StaffUserFactory
from tests.documents.pdftext import pdf_text, squeezed

pytestmark = pytest.mark.django_db


def generate(community, kinds=FORMATION_KINDS, actor=None):
    return documents_generate(community=community, kinds=kinds, actor=actor, door=Door.COMMAND)


def test_generation_records_every_document_with_its_hash_who_and_door(sonnenberg):
    staff = StaffUserFactory()

    documents = documents_generate(community=sonnenberg, kinds=FORMATION_KINDS, actor=staff, door=Door.ADMIN)

    assert [d.kind for d in documents] == ["agreement"] + ["contract"] * 12 + ["registration"]
    assert {d.version for d in documents} == {1}
    for document in documents:
        content = document.file.read()
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.size_bytes == len(content)
        assert content.startswith(b"%PDF-")
        assert (document.created_by, document.door) == (staff, Door.ADMIN)
        assert document.signature_state == SignatureState.UNSIGNED
    contract = documents[1]
    assert contract.participant.customer_number == "10001"
    assert contract.title == "Teilnehmervertrag Ammann Sonnenberg AG"
    folder, token, name = contract.file.name.rsplit("/", 2)
    assert (folder, len(token), name) == (f"documents/{sonnenberg.pk}/contract", 22, "teilnehmervertrag-10001-v1.pdf")
    assert squeezed("Kundennummer: 10001") in squeezed(pdf_text(contract.file.open("rb").read()))


def test_generating_twice_with_the_same_data_makes_no_new_version(sonnenberg):
    first = generate(sonnenberg)

    second = generate(sonnenberg)

    assert [d.pk for d in second] == [d.pk for d in first]
    assert Document.objects.filter(community=sonnenberg).count() == 14


def test_changed_data_gives_a_new_version_beside_the_old_one(sonnenberg):
    first = {(d.kind, d.subject): d for d in generate(sonnenberg)}
    Tariff.objects.filter(community=sonnenberg).update(consumer_price_rp_kwh=Decimal("19.0000"))

    second = {(d.kind, d.subject): d for d in generate(sonnenberg)}

    agreement_v1, agreement_v2 = first[("agreement", "")], second[("agreement", "")]
    assert (agreement_v1.version, agreement_v2.version) == (1, 2)
    assert agreement_v1.file.name != agreement_v2.file.name
    assert hashlib.sha256(agreement_v1.file.open("rb").read()).hexdigest() == agreement_v1.sha256
    assert "19.00 Rp./kWh" in pdf_text(agreement_v2.file.open("rb").read())
    assert second[("registration", "")].pk == first[("registration", "")].pk  # the tariff is not in it
    assert Document.objects.filter(community=sonnenberg).count() == 14 + 13


def test_missing_data_writes_nothing(sonnenberg):
    Tariff.objects.filter(community=sonnenberg).delete()

    with pytest.raises(DocumentDataMissing):
        generate(sonnenberg)

    assert not Document.objects.exists()


def test_only_the_requested_kind_is_generated(talwil):
    documents = generate(talwil, kinds=[DocumentKind.REGISTRATION])

    assert [(d.kind, d.version) for d in documents] == [("registration", 1)]


def test_documents_made_earlier_carry_their_moment_and_take_a_paper_signature_of_that_time(sonnenberg):
    from datetime import UTC, date, datetime

    from documents.paper_signatures import paper_signature_record

    made = datetime(2025, 6, 30, 14, 0, tzinfo=UTC)
    documents = documents_generate(
        community=sonnenberg, kinds=[DocumentKind.AGREEMENT], actor=None, door=Door.COMMAND, at=made
    )
    agreement = Document.objects.get(pk=documents[0].pk)
    assert (documents[0].created_at, agreement.created_at) == (made, made)

    with agreement.file.open("rb") as stored:
        paper = paper_signature_record(
            document=agreement, scan=stored.read(), signed_on=date(2025, 7, 8), note="", actor=None, door=Door.COMMAND
        )
    assert (paper.signed_on, Document.objects.get(pk=agreement.pk).signature_state) == (
        date(2025, 7, 8),
        SignatureState.SIGNED,
    )


def test_documents_cannot_be_recorded_as_made_in_the_future(sonnenberg):
    from datetime import timedelta

    from openleg.errors import DomainError
    from openleg.periods import utc_now

    with pytest.raises(DomainError) as refused:
        documents_generate(
            community=sonnenberg,
            kinds=[DocumentKind.AGREEMENT],
            actor=None,
            door=Door.COMMAND,
            at=utc_now() + timedelta(days=1),
        )
    assert refused.value.message.endswith("liegt in der Zukunft.")
    assert Document.objects.filter(community=sonnenberg).count() == 0
