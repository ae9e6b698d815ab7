import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import etree

from billing.models import Invoice, Settlement
from billing.receivables import open_amounts
from communities.models import Community, Participant
from payments.admin.payouts import due_state
from payments.models import PayoutBatch
from payments.payouts import payout_batch_create, payouts_due
from tests.billing.test_admin import table_row, text

pytestmark = pytest.mark.django_db

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
DUE_URL = reverse("admin:payments_payoutbatch_due")


def create_url(community) -> str:
    return reverse("admin:payments_payoutbatch_create", args=[community.pk])


def batch_url(batch, action: str = "change") -> str:
    return reverse(f"admin:payments_payoutbatch_{action}", args=[batch.pk])


def name_of(community, number: str) -> str:
    return Participant.objects.get(community=community, customer_number=number).display_name


def exported(community) -> PayoutBatch:
    return payout_batch_create(community=community, execution_date=date(2030, 4, 10), actor=None, door="command")


def test_the_app_lists_payouts_under_zahlungen(staff, payout_community):
    page = text(staff.get(reverse("admin:app_list", args=["payments"])))

    assert "Zahlungen" in page and ">Auszahlungen</a>" in page


def test_the_due_page_shows_per_community_what_is_due_and_who_lacks_an_iban(staff, payout_community):
    Participant.objects.filter(community=payout_community, customer_number="M4").update(iban="")

    response = staff.get(DUE_URL)

    assert response.status_code == 200
    page = text(response)
    community_id = payout_community.pk
    assert "<h2>LEG Sonnenberg</h2>" in page
    assert table_row(page, f"Gutschrift {community_id}-000005") == [
        f"Gutschrift {community_id}-000005",
        name_of(payout_community, "M5"),
        "CH0209000000100013997",
        "113.33",
    ]
    assert table_row(page, "Total") == ["Total", "", "", "113.33"]
    assert "Nicht auszahlbar (CHF 14.30)" in page
    assert table_row(page, f"Gutschrift {community_id}-000004")[1:] == [
        name_of(payout_community, "M4"),
        "Keine Bankverbindung erfasst",
        "14.30",
    ]
    assert f'href="{create_url(payout_community)}"' in page


def test_the_due_page_names_a_community_whose_account_is_a_qr_iban(staff, payout_community):
    Community.objects.filter(pk=payout_community.pk).update(iban="CH4431999123000889012")

    page = text(staff.get(DUE_URL))

    assert "ihre IBAN für Zahlungen CH4431999123000889012 ist eine QR-IBAN" in page
    assert f'href="{create_url(payout_community)}"' not in page


def test_the_changelist_links_to_what_is_due(staff, payout_community):
    exported(payout_community)

    page = text(staff.get(reverse("admin:payments_payoutbatch_changelist")))

    batch = PayoutBatch.objects.get()
    assert f'href="{DUE_URL}"' in page
    assert table_row(page, batch.message_id) == [
        batch.message_id,
        "LEG Sonnenberg",
        "10.04.2030",
        "exportiert",
        "2",
        "127.63",
        table_row(page, batch.message_id)[-1],
    ]
    assert 'href="?status__exact=exported"' in page


def test_create_asks_for_confirmation_then_exports_the_batch(staff, staff_user, payout_community):
    page = text(staff.get(create_url(payout_community)))

    assert "Die Datei überweist 2 Guthaben, total CHF 127.63, vom Konto CH9300762011623852957." in page
    assert 'value="Auszahlungsdatei erstellen"' in page
    assert PayoutBatch.objects.count() == 0

    state = due_state(payouts_due(payout_community))
    response = staff.post(create_url(payout_community), {"state": state, "execution_date": "10.04.2030"}, follow=True)

    batch = PayoutBatch.objects.get()
    assert response.redirect_chain == [(batch_url(batch), 302)]
    assert (batch.created_by, batch.door, batch.execution_date) == (staff_user, "admin", date(2030, 4, 10))
    page = text(response)
    assert (
        f"Die Auszahlung {batch.message_id} ist erstellt: 2 Überweisungen, total CHF 127.63. Laden Sie die Datei "
        "herunter und übermitteln Sie sie der Bank."
    ) in page
    assert table_row(page, "Total (CHF)") == ["Total (CHF)", "127.63"]
    assert table_row(page, "erstellt")[1].endswith(f"durch {staff_user} (Administration)")
    assert 'href="' + batch_url(batch, "confirm") + '"' in page


def test_create_with_a_stale_page_or_a_bad_date_exports_nothing(staff, payout_community):
    state = due_state(payouts_due(payout_community))
    Participant.objects.filter(community=payout_community, customer_number="M4").update(iban="")

    stale = text(staff.post(create_url(payout_community), {"state": state, "execution_date": "10.04.2030"}))
    bad = text(staff.post(create_url(payout_community), {"state": state, "execution_date": "31.02.2030"}))

    assert "Die fälligen Guthaben haben sich geändert, seit diese Seite geöffnet wurde." in stale
    assert "Bitte ein Datum der Form TT.MM.JJJJ angeben." in bad
    assert PayoutBatch.objects.count() == 0


def test_create_for_a_carry_over_community_is_refused(staff, payout_community):
    Community.objects.filter(pk=payout_community.pk).update(credit_handling="carry_over")

    page = text(staff.get(create_url(payout_community)))

    assert (
        "Die LEG «LEG Sonnenberg» zahlt Guthaben nicht aus, sie verrechnet sie mit der nächsten Abrechnung "
        "(Einstellung «Guthaben»)."
    ) in page
    assert "Auszahlungsdatei erstellen" not in page


def test_create_refused_by_the_service_shows_its_message(staff, payout_community):
    state = due_state(payouts_due(payout_community))

    response = staff.post(create_url(payout_community), {"state": state, "execution_date": "31.01.2020"})

    assert "Das Ausführungsdatum 31.01.2020 liegt in der Vergangenheit." in text(response)
    assert PayoutBatch.objects.count() == 0


def test_the_batch_file_is_downloaded_as_exported(staff, payout_community):
    batch = exported(payout_community)

    response = staff.get(batch_url(batch, "download"))

    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == f'attachment; filename="{batch.message_id}.xml"'
    assert content == batch.file.read()
    assert etree.fromstring(content).xpath("string(//p:GrpHdr/p:CtrlSum)", namespaces=NS) == "127.63"


def test_confirm_books_after_its_confirmation_page_and_only_once(staff, staff_user, payout_community):
    batch = exported(payout_community)

    page = text(staff.get(batch_url(batch, "confirm")))
    assert "jede der 2 Überweisungen (total CHF 127.63) wird mit dem Datum 10.04.2030 als Auszahlung" in page
    assert Settlement.objects.count() == 0

    response = staff.post(batch_url(batch, "confirm"), follow=True)

    assert response.redirect_chain == [(batch_url(batch), 302)]
    assert f"Die Auszahlung {batch.message_id} ist als von der Bank ausgeführt gebucht (CHF 127.63)." in text(response)
    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_by, batch.confirmed_door) == ("confirmed", staff_user, "admin")
    credits = Invoice.objects.filter(community=payout_community, number__in=[4, 5])
    assert set(open_amounts(c.pk for c in credits).values()) == {Decimal("0.00")}
    assert table_row(text(response), batch.payouts.order_by("pk").first().end_to_end_id)[-1] == "10.04.2030"
    again = staff.post(batch_url(batch, "confirm"), follow=True)
    assert "Nur exportierte Auszahlungen können bestätigt werden." in text(again)
    assert Settlement.objects.count() == 2


def test_cancel_needs_a_reason_and_frees_the_credits(staff, staff_user, payout_community):
    batch = exported(payout_community)

    empty = text(staff.post(batch_url(batch, "cancel"), {"reason": " "}))
    assert "Bitte geben Sie einen Grund für die Stornierung an." in empty
    assert PayoutBatch.objects.get().status == "exported"

    response = staff.post(batch_url(batch, "cancel"), {"reason": "Bank hat die Datei abgelehnt"}, follow=True)

    assert f"Die Auszahlung {batch.message_id} ist storniert; ihre Guthaben sind wieder fällig." in text(response)
    batch.refresh_from_db()
    assert (batch.status, batch.cancelled_by, batch.cancel_reason) == (
        "cancelled",
        staff_user,
        "Bank hat die Datei abgelehnt",
    )
    assert len(payouts_due(payout_community).payable) == 2
    page = text(response)
    assert "Von der Bank ausgeführt</a>" not in page and "pain.001-Datei herunterladen" in page
    assert "Nur exportierte Auszahlungen können bestätigt werden." in text(
        staff.post(batch_url(batch, "confirm"), follow=True)
    )


def test_records_cannot_be_added_changed_or_deleted(staff, payout_community):
    batch = exported(payout_community)

    assert staff.get(reverse("admin:payments_payoutbatch_add")).status_code == 403
    assert staff.get(reverse("admin:payments_payoutbatch_delete", args=[batch.pk])).status_code == 403
    page = text(staff.get(batch_url(batch)))
    assert not re.search(r'<input[^>]*name="(status|total_chf)"', page)


def test_a_utility_user_gets_no_payout_pages(client, utility_user, payout_community):
    client.force_login(utility_user)
    batch = exported(payout_community)

    for url in [DUE_URL, create_url(payout_community), batch_url(batch), batch_url(batch, "download")]:
        assert client.get(url).status_code == 302  # to the admin login
    assert client.post(batch_url(batch, "confirm")).status_code == 302
    assert PayoutBatch.objects.get().status == "exported"


def test_the_due_page_reads_a_fixed_number_of_queries_whatever_the_number_of_communities(staff, payout_community):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.communities.factories import CommunityFactory, ParticipantFactory

    with CaptureQueriesContext(connection) as one:
        staff.get(DUE_URL)
    for _ in range(3):
        ParticipantFactory(community=CommunityFactory(credit_handling="payout"))
    with CaptureQueriesContext(connection) as four:
        page = text(staff.get(DUE_URL))

    assert page.count("<p>Nichts auszuzahlen.</p>") == 3
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_confirmation_page_warns_of_credits_settled_since_the_export(staff, payout_community):
    from billing.models import BillingRun
    from billing.services import billing_run_cancel

    batch = exported(payout_community)
    billing_run_cancel(run=BillingRun.objects.get(community=payout_community), actor=None, reason="Tarif falsch")

    page = text(staff.get(batch_url(batch, "confirm")))

    name = name_of(payout_community, "M5")
    assert (
        f"Gutschrift {payout_community.pk}-000005 ({name}) ist seit dem Export nicht mehr mit CHF 113.33 offen, "
        "sondern mit CHF 0.00. Die Auszahlung wird trotzdem gebucht, wenn die Bank sie ausgeführt hat; der Beleg "
        "bleibt danach entsprechend offen."
    ) in page
    assert page.count('class="warning"') == 2
    staff.post(batch_url(batch, "confirm"))
    credit = Invoice.objects.get(community=payout_community, number=5)
    assert open_amounts([credit.pk]) == {credit.pk: Decimal("113.33")}
