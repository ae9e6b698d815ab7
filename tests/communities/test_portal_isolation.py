"""Every portal URL pattern, walked with another utility's ids: 404 for a user of one utility, the login for an
anonymous visitor. A new pattern with a parameter this walk does not know fails the test until it is added."""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, reverse

from api.b2b.keys import utility_key_create
from billing.services import billing_run_approve, billing_run_start
from communities.models import ParticipantListUpload
from documents import portal_urls as document_urls
from documents.models import Document, DocumentKind, SignatureState
from metering.models import MeterImport
from openleg import portal_urls
from openleg.periods import utc_now
from tests.accounts.factories import UtilityUserFactory
from tests.billing.conftest import march_community  # noqa: F401  (another utility's community with a run)
from tests.communities.factories import CommunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(march_community):  # noqa: F811
    run = billing_run_start(community=march_community, year=2026, month=3)
    point = march_community.participants.get(customer_number="M1").memberships.get().metering_point
    document = Document(
        community=march_community,
        kind=DocumentKind.AGREEMENT,
        version=1,
        title="Gemeinschaftsvereinbarung",
        sha256="0" * 64,
        size_bytes=5,
        source_sha256="0" * 64,
        door="command",
        signature_state=SignatureState.UNSIGNED,
    )
    document.file.save("vereinbarung.pdf", ContentFile(b"%PDF-"), save=False)
    document.save()
    upload = ParticipantListUpload.objects.create(
        community=march_community,
        uploaded_by=UtilityUserFactory(utility=march_community.utility, portal_role="desk"),
        filename="liste.csv",
        content=b"Kundennummer\r\n1\r\n",
    )
    meter_import = MeterImport.objects.create(
        created_at=utc_now(),
        door="portal",
        utility=march_community.utility,
        filename="m.xml",
        sha256="1" * 64,
        size=1,
        status="preview",
    )
    membership = point.memberships.get()
    march_community.iban = "CH93 0076 2011 6238 5295 7"  # billing: an issued run, so that it has invoices
    march_community.save()
    billing_run_approve(run=run, actor=None)
    invoice = run.invoices.order_by("number").first()
    api_key = utility_key_create(
        utility=march_community.utility, name="Netzplanung",
        created_by=UtilityUserFactory(utility=march_community.utility, portal_role="approver"),
    ).key
    return {
        "community": march_community,
        "run": run,
        "point": point,
        "document": document,
        "meter_import": meter_import,
        "upload": upload,
        "membership": membership,
        "participant": membership.participant,
        "invoice": invoice,
        "api_key": api_key,
    }


# Pages of the user's own utility, with no id in them: the dashboard, meter data, a new community, the subscription,
# the API keys.
OWN_PAGES = {
    "/utility/", "/utility/meter-data/", "/utility/communities/new/", "/utility/billing/", "/utility/api-keys/"
}


def walked_urls(foreign: dict) -> list[str]:
    """Each pattern of the portal with the foreign objects' ids in every parameter."""
    values = {
        ("portal", "pk"): foreign["community"].pk,
        ("portal", "run_pk"): foreign["run"].pk,
        ("portal", "point_pk"): foreign["point"].pk,
        ("portal", "name"): "export.xlsx",
        ("portal", "year"): "2026",
        ("portal", "month"): "03",
        ("portal", "extension"): "xlsx",
        ("portal", "token"): foreign["upload"].token,
        ("portal_documents", "pk"): foreign["document"].pk,
        ("portal", "import_pk"): foreign["meter_import"].pk,
        ("portal", "participant_pk"): foreign["participant"].pk,
        ("portal", "membership_pk"): foreign["membership"].pk,
        ("portal", "document_pk"): foreign["document"].pk,
        ("portal", "invoice_pk"): foreign["invoice"].pk,
        ("portal", "key_pk"): foreign["api_key"].pk,
    }
    urls = []
    for module in (portal_urls, document_urls):
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern), pattern
            names = pattern.pattern.regex.groupindex
            unknown = [name for name in names if (module.app_name, name) not in values]
            assert not unknown, f"{module.app_name}:{pattern.name} has parameters this walk does not know: {unknown}"
            kwargs = {name: values[(module.app_name, name)] for name in names}
            urls.append(reverse(f"{module.app_name}:{pattern.name}", kwargs=kwargs))
    return urls


def test_another_utilitys_ids_in_every_portal_url_are_not_found(client, foreign):
    own = CommunityFactory()
    client.force_login(UtilityUserFactory(utility=own.utility, portal_role="approver"))
    urls = walked_urls(foreign)

    answers = {url: client.get(url).status_code for url in urls}

    assert len(urls) == 40
    assert {url: status for url, status in answers.items() if url not in OWN_PAGES and status != 404} == {}
    assert {url: answers[url] for url in OWN_PAGES} == {url: 200 for url in OWN_PAGES}
    page = client.get("/utility/").content.decode()
    assert foreign["community"].name not in page


def test_an_anonymous_visitor_is_sent_to_the_login_from_every_portal_url(client, foreign):
    for url in walked_urls(foreign):
        response = client.get(url)
        assert (response.status_code, response.url.split("?")[0]) == (302, "/accounts/login/"), url


def test_another_utilitys_ids_are_not_found_on_post_either(client, foreign):
    # Formation's pages take POSTs: the foreign community, participant, membership or document is a 404 before any
    # form is read. (The pages without an id are always the user's own utility's.)
    own = CommunityFactory()
    client.force_login(UtilityUserFactory(utility=own.utility, portal_role="approver"))
    urls = [url for url in walked_urls(foreign) if url not in OWN_PAGES]

    answers = {url: client.post(url, {"to_status": "abandoned", "note": "x"}).status_code for url in urls}

    assert {url: status for url, status in answers.items() if status != 404} == {}
