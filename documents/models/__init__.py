from documents.models.documents import Document, DocumentKind, SignatureState
from documents.models.outbox import Dispatch, DispatchKind, DispatchStatus, RunPdfRendering
from documents.models.signatures import PaperSignature, SignatureRequest, SignatureRequestState

__all__ = [
    "Dispatch",
    "DispatchKind",
    "DispatchStatus",
    "Document",
    "DocumentKind",
    "PaperSignature",
    "RunPdfRendering",
    "SignatureRequest",
    "SignatureRequestState",
    "SignatureState",
]
