"""The file storage of ``MEDIA_ROOT``: a file appears under its name whole or not at all.

Django's ``FileSystemStorage`` writes straight to the final name and leaves what it wrote so far when a write fails
(a full disk): a truncated meter file or PDF under a name that looks kept. Here each file is written under a
partial name of its own first and linked to its name once every byte is written; whatever fails, the partial file
is removed. A full disk (or quota) becomes ``StorageFull``, whose message the doors show.
"""

import contextlib
import errno
import os
import secrets

from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext_lazy as _

from openleg.errors import DomainError

_FULL = {errno.ENOSPC, errno.EDQUOT}
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP}

STORAGE_FULL = _("Speicher voll: die Datei wurde nicht gespeichert.")


class StorageFull(DomainError):
    """The disk (or the quota) of ``MEDIA_ROOT`` is full: nothing of the file was kept."""

    code = "storage_full"

    def __init__(self) -> None:
        super().__init__(STORAGE_FULL)


class WholeFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content) -> str:
        # 64 random bits: the partial name is never taken, so Django writes exactly there and we know what to remove.
        partial = f"{name}.partial-{secrets.token_hex(8)}"
        try:
            partial = super()._save(partial, content)
            name = self._link(partial, name)
        except OSError as error:
            if error.errno in _FULL:
                raise StorageFull() from error
            raise
        finally:
            self._remove(partial)
        return name

    def _link(self, partial: str, name: str) -> str:
        """Give the written file its name without ever replacing another file (a hard link fails if it exists)."""
        while True:
            try:
                os.link(self.path(partial), self.path(name))
                return name
            except FileExistsError:
                name = self.get_available_name(name)
            except OSError as error:
                if error.errno not in _NO_HARD_LINKS:
                    raise
                return self._claim_and_rename(partial, name)

    def _claim_and_rename(self, partial: str, name: str) -> str:
        """Where the file system has no hard links (some network shares): claim the name with an empty file of our
        own (O_EXCL), then rename the written file over it."""
        while True:
            try:
                os.close(os.open(self.path(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                break
            except FileExistsError:
                name = self.get_available_name(name)
        try:
            os.replace(self.path(partial), self.path(name))
        except BaseException:
            self._remove(name)
            raise
        return name

    def _remove(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path(name))
