from documents.models.documents import Document, DocumentKind, SignatureState
from documents.models.signatures import SignatureRequest, SignatureRequestState

__all__ = ["Document", "DocumentKind", "SignatureRequest", "SignatureRequestState", "SignatureState"]
