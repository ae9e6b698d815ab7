import pytest

from communities.demo import load_demo_master_data
from communities.models import Community


@pytest.fixture
def sonnenberg(db, settings, tmp_path):
    """A demo community with its utility; files the test stores go to the test's own MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo_master_data()
    return Community.objects.select_related("utility").get(slug="sonnenberg-dorf")
