"""Generating and recording documents: every generation renders from the current data, and a
document whose rendered content is unchanged keeps its version; a changed one gets a new version
beside the old, never over it.
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from accounts.actors import recorded_user
from communities.models import Community, Door
from communities.selectors import latest_document_versions
from documents import pdf
from documents.leg_documents import (
    DocumentDraft,
    agreement_draft,
    basis_of,
    contract_drafts,
    registration_draft,
)
from documents.models import Document, DocumentKind
from openleg.history import step_moment

FORMATION_KINDS = (DocumentKind.AGREEMENT, DocumentKind.CONTRACT, DocumentKind.REGISTRATION)
# What a door may ask for: the names of the command's --kind and of the admin's buttons.
KIND_GROUPS = {
    "formation": FORMATION_KINDS,
    "agreement": (DocumentKind.AGREEMENT,),
    "contract": (DocumentKind.CONTRACT,),
    "registration": (DocumentKind.REGISTRATION,),
}


def document_drafts(community: Community, kinds: Iterable[str]) -> list[DocumentDraft]:
    """Everything to render for ``kinds``; raises DocumentDataMissing before anything is written."""
    kinds = list(kinds)
    drafts: list[DocumentDraft] = []
    if set(kinds) & set(FORMATION_KINDS):
        basis = basis_of(community)
        if DocumentKind.AGREEMENT in kinds:
            drafts.append(agreement_draft(basis))
        if DocumentKind.CONTRACT in kinds:
            drafts.extend(contract_drafts(basis))
        if DocumentKind.REGISTRATION in kinds:
            drafts.append(registration_draft(basis))
    return drafts


def _source_hash(draft: DocumentDraft) -> str:
    return hashlib.sha256(f"{draft.kind}\n{draft.subject}\n{draft.html}".encode()).hexdigest()


def documents_generate(
    *, community: Community, kinds: Iterable[str], actor, door: Door | str, at: datetime | None = None
) -> list[Document]:
    """Render and record the documents of ``kinds``; returns the current version of each, new or not.

    ``at`` records new versions as made at an earlier moment (a formation taken over from paper, the demo), so
    that signatures and formation steps can follow them in order.
    """
    made_at = None if at is None else step_moment(at, latest=None)  # refused before anything is rendered
    drafts = document_drafts(community, kinds)
    latest = latest_document_versions(community=community)
    hashes = [_source_hash(draft) for draft in drafts]
    stale = [
        (draft, source)
        for draft, source in zip(drafts, hashes, strict=True)
        if getattr(latest.get((draft.kind, draft.subject)), "source_sha256", None) != source
    ]
    pdfs = pdf.htmls_to_pdfs([draft.html for draft, _ in stale]) if stale else []
    created = _record(community, stale, pdfs, latest, actor=actor, door=door)
    if made_at is not None and created:
        Document.objects.filter(pk__in=[document.pk for document in created]).update(created_at=made_at)
        for document in created:
            document.created_at = made_at
    current = {**latest, **{(d.kind, d.subject): d for d in created}}
    return [current[(draft.kind, draft.subject)] for draft in drafts]


def _record(community, stale, pdfs, latest, *, actor, door) -> list[Document]:
    documents = []
    try:
        with transaction.atomic():
            for (draft, source), content in zip(stale, pdfs, strict=True):
                previous = latest.get((draft.kind, draft.subject))
                documents.append(_store(community, draft, source, content, previous, actor=actor, door=door))
    except IntegrityError:
        # Another worker recorded the same versions at the same time: theirs are as good as ours.
        _discard_files(documents)
        return list(latest_document_versions(community=community).values())
    except BaseException:
        _discard_files(documents)
        raise
    return documents


def _store(community, draft, source, content: bytes, previous, *, actor, door) -> Document:
    version = previous.version + 1 if previous else 1
    document = Document(
        community=community,
        kind=draft.kind,
        subject=draft.subject,
        participant=draft.participant,
        version=version,
        title=draft.title,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        source_sha256=source,
        created_by=recorded_user(actor),
        door=door,
        signature_state=draft.signature_state,
    )
    document.file.save(f"{draft.filename}-v{version}.pdf", ContentFile(content), save=False)
    document.save()
    return document


def _discard_files(documents: list[Document]) -> None:
    for document in documents:
        document.file.delete(save=False)


def documents_generate_later(
    *, community: Community, kinds: Iterable[str], actor, door: Door | str = Door.TASK
) -> None:
    """Check now that the documents can be made (a missing value is reported at once), render them in
    a Celery task after the transaction commits."""
    from documents.tasks import generate_documents

    kinds = list(kinds)
    document_drafts(community, kinds)
    actor_id = getattr(recorded_user(actor), "pk", None)
    transaction.on_commit(lambda: generate_documents.delay(community.pk, kinds, actor_id, str(door)))
