"""Stored files (uploads and generated PDFs) and who may read them.

Nothing under ``MEDIA_ROOT`` is served statically: every ``FileField`` URL (``MEDIA_URL``) leads to
``openleg.file_views.protected_file``, which serves a file only to staff with the view permission named here and
to users of the utility that owns it (``accounts.scoping``). Each stored name holds a random folder, so one
file's name says nothing about another's. A test makes sure every ``FileField`` of the project is listed here.
"""

import secrets
from dataclasses import dataclass

from django.apps import apps
from django.db.models.fields.files import FieldFile

from accounts.scoping import scope_to_user


@dataclass(frozen=True)
class ProtectedFile:
    model: str  # app_label.ModelName
    field: str
    utility_path: str  # from the model to its utility, for accounts.scoping
    permission: str  # what staff need to read it


_SIGNED = "document__community__utility"

PROTECTED_FILES = (
    ProtectedFile("documents.Document", "file", "community__utility", "documents.view_document"),
    ProtectedFile("documents.SignatureRequest", "signed_file", _SIGNED, "documents.view_document"),
    ProtectedFile("documents.PaperSignature", "scan", _SIGNED, "documents.view_document"),
    ProtectedFile("billing.InvoicePdf", "file", "invoice__community__utility", "billing.view_invoice"),
    ProtectedFile("payments.Reminder", "pdf", "run__community__utility", "payments.view_reminderrun"),
    ProtectedFile("payments.BankFile", "file", "community__utility", "payments.view_bankfile"),
    ProtectedFile("payments.PayoutBatch", "file", "community__utility", "payments.view_payoutbatch"),
    ProtectedFile("metering.MeterImport", "file", "utility", "metering.view_meterimport"),
)


def unguessable_path(folder: str, filename: str) -> str:
    """``folder/<random token>/filename``: the download keeps its plain name, the path cannot be guessed."""
    return f"{folder}/{secrets.token_urlsafe(16)}/{filename}"


def protected_file_for(*, user, name: str) -> FieldFile | None:
    """The stored file called ``name`` if ``user`` may read it, else None (also when no record has it)."""
    if not name:
        return None
    for entry in PROTECTED_FILES:
        if user.is_staff and not user.has_perm(entry.permission):
            continue
        model = apps.get_model(entry.model)
        records = scope_to_user(model.objects.filter(**{entry.field: name}), user, utility_path=entry.utility_path)
        record = records.first()
        if record is not None:
            return getattr(record, entry.field)
    return None
