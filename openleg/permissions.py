"""The one permission rule of the consoles: whoever may change a kind of record may act on it (approve, book, send,
move), through the confirmation pages of its admin; nobody edits such records in a form."""

from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import models


def may_change(user, model: type[models.Model]) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")


def require_change(user, model: type[models.Model]) -> None:
    if not may_change(user, model):
        raise PermissionDenied


class ActsOnRecordsMixin:
    """For a ModelAdmin whose actions need the change permission on its model (``may_act`` for templates)."""

    def may_act(self, request) -> bool:
        return may_change(request.user, self.model)

    def _check_may_act(self, request) -> None:
        require_change(request.user, self.model)
