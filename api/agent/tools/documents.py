"""The documents tools: generate a community's formation documents (or its invoice PDFs) in the background, and
list what has been generated, each with a signed download link."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from api.agent.downloads import download_url
from api.agent.jobs import job_start, job_work
from api.agent.registry import Tool, ToolAnswer, register
from api.agent.tools.common import iso_utc
from api.agent.tools.examples import example_of
from api.errors import not_found
from api.scopes import Scope
from communities.models import Door
from documents.invoice_pdfs import invoice_pdfs_render, require_invoices_of_community
from documents.selectors import community_documents
from documents.services import KIND_GROUPS, document_drafts, documents_generate

INVOICES = "invoices"
KINDS = (*KIND_GROUPS, INVOICES)


def document_row(document, *, current: bool | None = None) -> dict:
    row = {
        "id": document.pk,
        "kind": document.kind,
        "subject": document.subject,
        "participant": document.participant_id,
        "title": document.title,
        "version": document.version,
        "sha256": document.sha256,
        "size_bytes": document.size_bytes,
        "signature_state": document.signature_state,
        "created_at": iso_utc(document.created_at),
        "download_url": download_url("document", document.pk),
    }
    if current is not None:
        row["current"] = current
    return row


def invoice_pdf_row(invoice) -> dict:
    pdf = invoice.pdf
    return {
        "invoice": invoice.pk,
        "number": invoice.display_number,
        "kind": invoice.kind,
        "customer_number": invoice.customer_number,
        "sha256": pdf.sha256,
        "size_bytes": pdf.size_bytes,
        "created_at": iso_utc(pdf.created_at),
        "download_url": download_url("invoice_pdf", pdf.pk),
    }


def with_fresh_links(result: dict) -> dict:
    """A stored job result with download links signed now (the stored ones may have expired)."""
    fresh = dict(result)
    if "documents" in fresh:
        fresh["documents"] = [
            {**row, "download_url": download_url("document", row["id"])} for row in fresh["documents"]
        ]
    if "invoice_pdfs" in fresh:
        fresh["invoice_pdfs"] = [
            {**row, "download_url": download_url("invoice_pdf", row["pdf"])} for row in fresh["invoice_pdfs"]
        ]
    return fresh


# -- generate_leg_document --------------------------------------------------------------------------------------


class GenerateArguments(serializers.Serializer):
    community = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=KINDS)
    participant = serializers.IntegerField(min_value=1, required=False)

    default_error_messages = {"participant": gettext_lazy("Eine teilnehmende Person gibt es nur beim Vertrag.")}

    def validate(self, attrs):
        if "participant" in attrs and attrs["kind"] != "contract":
            raise serializers.ValidationError({"participant": self.error_messages["participant"]})
        return attrs


def generate_leg_document(caller, arguments: dict) -> ToolAnswer:
    community = caller.community(arguments["community"])
    kind, participant = arguments["kind"], arguments.get("participant")
    if participant is not None and not community.participants.filter(pk=participant).exists():
        raise not_found(_("Teilnehmende"), participant)
    if kind == INVOICES:
        require_invoices_of_community(community)
    else:
        document_drafts(community, KIND_GROUPS[kind])  # a missing value is refused now, not in the job
    job_arguments = {"community": community.pk, "kind": kind, "participant": participant}
    return job_start(caller, "generate_leg_document", job_arguments, touched=[f"community:{community.pk}"])


@job_work("generate_leg_document")
def generate_leg_document_work(caller, arguments: dict) -> dict:
    community = caller.community(arguments["community"])
    kind = arguments["kind"]
    if kind == INVOICES:
        invoices = require_invoices_of_community(community)
        invoice_pdfs_render(invoice_ids=list(invoices.filter(pdf__isnull=True).values_list("pk", flat=True)))
        stored = invoices.filter(pdf__isnull=False).select_related("pdf").order_by("number", "pk")
        return {
            "community": community.pk,
            "kind": kind,
            "invoice_pdfs": [{**invoice_pdf_row(invoice), "pdf": invoice.pdf.pk} for invoice in stored],
        }
    documents = documents_generate(community=community, kinds=KIND_GROUPS[kind], actor=None, door=Door.AGENT)
    if arguments.get("participant") is not None:
        documents = [document for document in documents if document.participant_id == arguments["participant"]]
    return {"community": community.pk, "kind": kind, "documents": [document_row(document) for document in documents]}


register(
    Tool(
        name="generate_leg_document",
        description=(
            "Generate a community's documents as PDFs in the background: 'agreement' (the community agreement), "
            "'contract' (one participant contract per member; pass 'participant' to get only that member's), "
            "'registration' (the registration with the grid operator), 'formation' (all three), or 'invoices' (the "
            "PDFs of the community's issued invoices, credit statements and credit notes that have none yet). "
            "Unchanged content keeps its version; changed content gets a new version beside the old one. Answers "
            "202 with a job: poll get_job_status until 'done', whose result lists the documents with id, version, "
            "SHA-256, size and a signed download URL that expires after 15 minutes. Missing master data is refused "
            "at once (409) with the values that are missing. Nothing is sent or signed."
        ),
        scope=Scope.DOCUMENTS_WRITE,
        arguments=GenerateArguments,
        run=generate_leg_document,
        writes=True,
        **example_of("generate_leg_document"),
    )
)


# -- list_documents ---------------------------------------------------------------------------------------------


class ListArguments(serializers.Serializer):
    community = serializers.IntegerField(min_value=1)


def list_documents(caller, arguments: dict) -> ToolAnswer:
    community = caller.community(arguments["community"])
    seen, rows = set(), []
    for document in community_documents(community=community):  # newest version of each first
        key = (document.kind, document.subject)
        rows.append(document_row(document, current=key not in seen))
        seen.add(key)
    return ToolAnswer(data={"community": community.pk, "documents": rows}, touched=[f"community:{community.pk}"])


register(
    Tool(
        name="list_documents",
        description=(
            "List every generated document of a community (all versions, newest first per kind and subject, "
            "'current' marks the newest) with kind, subject, participant, version, SHA-256, size, signature state, "
            "creation time and a signed download URL valid for 15 minutes. Use it before generate_leg_document to "
            "see what exists, and to fetch a PDF."
        ),
        scope=Scope.DOCUMENTS_READ,
        arguments=ListArguments,
        run=list_documents,
        **example_of("list_documents"),
    )
)
