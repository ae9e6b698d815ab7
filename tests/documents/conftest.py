import pytest

from communities.demo import load_demo_master_data
from communities.models import Community


@pytest.fixture
def demo_communities(db):
    load_demo_master_data()
    return {community.slug: community for community in Community.objects.select_related("utility", "municipality")}


@pytest.fixture
def sonnenberg(demo_communities):
    return demo_communities["sonnenberg-dorf"]


@pytest.fixture
def talwil(demo_communities):
    return demo_communities["talwil-gewerbe"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test keeps its PDFs apart: stored names stay predictable."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
