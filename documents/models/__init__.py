from documents.models.documents import Document, DocumentKind, SignatureState
from documents.models.signatures import PaperSignature, SignatureRequest, SignatureRequestState

__all__ = ["Document", "DocumentKind", "PaperSignature", "SignatureRequest", "SignatureRequestState", "SignatureState"]
