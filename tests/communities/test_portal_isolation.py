"""Every portal URL pattern, walked with another utility's ids: 404 for a user of one utility, the login for an
anonymous visitor. A new pattern with a parameter this walk does not know fails the test until it is added."""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, reverse

from billing.services import billing_run_approve, billing_run_start
from communities import urls as portal_urls
from communities.models import ParticipantListUpload
from documents import portal_urls as document_urls
from documents.models import Document, DocumentKind, SignatureState
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
    march_community.iban = "CH93 0076 2011 6238 5295 7"  # billing: an issued run, so that it has invoices
    march_community.save()
    billing_run_approve(run=run, actor=None)
    invoice = run.invoices.order_by("number").first()
    return {
        "community": march_community,
        "run": run,
        "point": point,
        "document": document,
        "upload": upload,
        "invoice": invoice,
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
        ("portal", "invoice_pk"): foreign["invoice"].pk,
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

    assert len(urls) == 16
    assert {url: status for url, status in answers.items() if url != "/utility/" and status != 404} == {}
    assert answers["/utility/"] == 200
    page = client.get("/utility/").content.decode()
    assert foreign["community"].name not in page


def test_an_anonymous_visitor_is_sent_to_the_login_from_every_portal_url(client, foreign):
    for url in walked_urls(foreign):
        response = client.get(url)
        assert (response.status_code, response.url.split("?")[0]) == (302, "/accounts/login/"), url
