from django.core.files.storage import FileSystemStorage

from metering.services import _WholeContent


def test_a_delivered_file_is_handed_to_the_storage_in_one_piece(tmp_path):
    data = b"<x>" + bytes(range(256)) * 1000 + b"</x>"
    content = _WholeContent(data)
    assert [chunk is data for chunk in content.chunks()] == [True]
    name = FileSystemStorage(location=tmp_path).save("meter.xml", content)
    assert (tmp_path / name).read_bytes() == data
