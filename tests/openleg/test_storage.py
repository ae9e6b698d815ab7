"""The storage of MEDIA_ROOT keeps a file whole under its name or not at all, and never replaces another file."""

import errno
import os

import pytest
from django.core.files.base import ContentFile

from openleg.storage import WholeFileSystemStorage


@pytest.fixture
def storage(tmp_path):
    return WholeFileSystemStorage(location=tmp_path)


def names(tmp_path) -> list[str]:
    return sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())


def test_a_file_is_kept_under_its_name_with_its_bytes_and_nothing_else(storage, tmp_path):
    name = storage.save("invoices/7/Rechnung-7-000001.pdf", ContentFile(b"%PDF-1.7 eins"))

    assert (name, names(tmp_path)) == ("invoices/7/Rechnung-7-000001.pdf", ["invoices/7/Rechnung-7-000001.pdf"])
    assert (tmp_path / name).read_bytes() == b"%PDF-1.7 eins"
    assert oct((tmp_path / name).stat().st_mode & 0o777) == oct(0o644)  # Django's FILE_UPLOAD_PERMISSIONS


def test_a_name_taken_meanwhile_gets_another_name_and_the_first_file_stays(storage, tmp_path):
    # Storage.save picks a free name before writing (_save): here another writer took it in between.
    (tmp_path / "a.xml").write_bytes(b"first")

    second = storage._save("a.xml", ContentFile(b"second"))

    assert second != "a.xml"
    assert ((tmp_path / "a.xml").read_bytes(), (tmp_path / second).read_bytes()) == (b"first", b"second")
    assert names(tmp_path) == sorted(["a.xml", second])


@pytest.mark.parametrize("refusal", [errno.EPERM, errno.EOPNOTSUPP])
def test_without_hard_links_the_file_is_renamed_onto_a_name_claimed_first(storage, tmp_path, monkeypatch, refusal):
    (tmp_path / "a.xml").write_bytes(b"first")

    def no_links(source, target):
        raise OSError(refusal, os.strerror(refusal))

    monkeypatch.setattr(os, "link", no_links)

    name = storage._save("a.xml", ContentFile(b"second"))

    assert name != "a.xml"
    assert ((tmp_path / "a.xml").read_bytes(), (tmp_path / name).read_bytes()) == (b"first", b"second")
    assert names(tmp_path) == sorted(["a.xml", name])


def test_another_failure_leaves_no_partial_file(storage, tmp_path, monkeypatch):
    def broken(source, target):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "link", broken)

    with pytest.raises(OSError) as failed:
        storage.save("b.xml", ContentFile(b"bytes"))

    assert (failed.value.errno, names(tmp_path)) == (errno.EIO, [])
