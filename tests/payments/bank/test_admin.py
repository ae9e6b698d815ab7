import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Settlement
from billing.receivables import open_amount
from communities.models import Door
from payments.bank_import import bank_file_import
from payments.camt_writer import Entry, Tx
from payments.models import BankCredit, BankFile
from payments.open_items import bucket_of, open_items
from tests.communities.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def cells(page: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_upload_shows_a_preview_and_books_only_after_confirmation(staff, staff_user, issued):
    first = issued.invoices[0]
    data = issued.camt(issued.paying(first, ref="TX-1"), Entry([Tx(Decimal("3.00"), debtor="Niemand")]))
    response = staff.post(
        reverse("admin:payments_bankfile_upload"), {"file": SimpleUploadedFile("april.xml", data, "text/xml")}
    )
    bank_file = BankFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:payments_bankfile_preview", args=[bank_file.pk])
    assert (bank_file.status, bank_file.actor, bank_file.door) == ("preview", staff_user, "admin")
    preview = staff.get(response["Location"])
    page = text(preview)
    assert "verbucht: 1 · nicht zugeordnet: 1" in page
    assert reverse("admin:billing_invoice_change", args=[first.pk]) in page
    assert Settlement.objects.count() == 0

    booked = staff.post(reverse("admin:payments_bankfile_book", args=[bank_file.pk]), follow=True)
    assert messages_of(booked) == [
        "april.xml ist verbucht: 1 Zahlungen über CHF 100.47; 1 Gutschriften warten auf eine Entscheidung."
    ]
    bank_file.refresh_from_db()
    assert (bank_file.status, bank_file.matched_count, bank_file.unmatched_count) == ("booked", 1, 1)
    assert Settlement.objects.get().created_by == staff_user
    again = staff.post(reverse("admin:payments_bankfile_book", args=[bank_file.pk]), follow=True)
    assert messages_of(again) == ["Diese Bankdatei ist bereits verbucht oder abgelehnt."]
    assert Settlement.objects.count() == 1


def test_an_upload_of_another_account_is_refused_with_its_reason(staff, issued):
    data = issued.camt(issued.paying(issued.invoices[0], ref="TX-1"), account="CH6700235235000123456")
    response = staff.post(
        reverse("admin:payments_bankfile_upload"), {"file": SimpleUploadedFile("x.xml", data)}, follow=True
    )
    assert messages_of(response) == ["Das Konto CH6700235235000123456 gehört zu keiner Gemeinschaft."]
    assert BankFile.objects.get().status == "rejected"


def test_the_file_list_and_the_file_page(staff, issued):
    bank_file_import(
        data=issued.camt(issued.paying(issued.invoices[0], ref="TX-1"), Entry([Tx(Decimal("3.00"), debtor="X")])),
        filename="april.xml",
        actor=None,
        door=Door.COMMAND,
    )
    bank_file = BankFile.objects.get()
    listing = text(staff.get(reverse("admin:payments_bankfile_changelist")))
    assert "april.xml" in listing and "1 / 100.47" in listing
    assert reverse("admin:payments_bankfile_upload") in listing
    page = text(staff.get(reverse("admin:payments_bankfile_change", args=[bank_file.pk])))
    assert "Gutschriften, die eine Person entscheiden muss" in page
    assert "Die Zahlung hat keine Referenz." in page
    assert f"?bank_file__id__exact={bank_file.pk}" in page


def test_confirming_suggestions_from_the_credit_list_needs_the_confirmation_page(staff, staff_user, issued):
    first = issued.invoices[0]
    bank_file_import(
        data=issued.camt(Entry([Tx(first.total_chf, debtor=first.recipient["name"], servicer_ref="S-1")])),
        filename="april.xml",
        actor=None,
        door=Door.COMMAND,
    )
    credit = BankCredit.objects.get()
    url = reverse("admin:payments_bankcredit_changelist")
    listing = staff.get(url + "?status__exact=suggested")
    assert first.display_number in text(listing)
    page = staff.post(url, {"action": "confirm_suggestions", "_selected_action": [credit.pk]})
    assert page.status_code == 200
    assert "1 Vorschlag über CHF 100.47 wird verbucht." in text(page)
    assert Settlement.objects.count() == 0
    done = staff.post(
        url, {"action": "confirm_suggestions", "_selected_action": [credit.pk], "confirm": "yes"}, follow=True
    )
    assert messages_of(done) == ["1 Vorschläge bestätigt und verbucht."]
    credit.refresh_from_db()
    assert (credit.status, credit.resolved_by, credit.resolved_door) == ("matched", staff_user, "admin")
    assert open_amount(first) == Decimal("0.00")


def test_assigning_a_credit_names_the_invoice_shows_the_effect_then_books(staff, staff_user, issued):
    second = issued.invoices[1]
    bank_file_import(
        data=issued.camt(Entry([Tx(Decimal("60.00"), debtor="Unbekannt", servicer_ref="S-1")])),
        filename="april.xml",
        actor=None,
        door=Door.COMMAND,
    )
    credit = BankCredit.objects.get()
    redirect = staff.post(
        reverse("admin:payments_bankcredit_changelist"),
        {"action": "assign_to_invoice", "_selected_action": [credit.pk]},
    )
    url = reverse("admin:payments_bankcredit_assign", args=[credit.pk])
    assert redirect["Location"] == url
    wrong = staff.post(url, {"invoice_number": "999"})
    assert f"Die Rechnung {issued.community.pk}-000999 gibt es nicht." in text(wrong)
    check = staff.post(url, {"invoice_number": second.display_number})
    assert "offen CHF 99.85, nach der Buchung CHF 39.85." in text(check)
    assert Settlement.objects.count() == 0
    done = staff.post(url, {"invoice_number": second.display_number, "confirm": "yes"}, follow=True)
    assert messages_of(done) == [f"CHF 60.00 sind auf {second.display_number} verbucht."]
    credit.refresh_from_db()
    assert (credit.status, credit.invoice, credit.resolved_by) == ("matched", second, staff_user)
    assert open_amount(second) == Decimal("39.85")


@pytest.mark.parametrize(
    ("open_chf", "days", "bucket"),
    [
        (Decimal("5"), 0, "not_due"),
        (Decimal("5"), 1, "days_1_30"),
        (Decimal("5"), 30, "days_1_30"),
        (Decimal("5"), 31, "days_31_60"),
        (Decimal("5"), 61, "days_61_90"),
        (Decimal("5"), 91, "days_over_90"),
        (Decimal("-5"), 200, "credit"),
    ],
)
def test_ageing_buckets(open_chf, days, bucket):
    assert bucket_of(open_chf, days) == bucket


def test_open_items_per_participant_with_state_age_and_bucket_totals(issued):
    first, second, third = issued.invoices
    bank_file_import(
        data=issued.camt(issued.paying(first, ref="TX-1"), issued.paying(second, Decimal("50.00"), ref="TX-2")),
        filename="april.xml",
        actor=None,
        door=Door.COMMAND,
    )
    due = second.due_date
    items = open_items(community=issued.community, today=due + timedelta(days=45))
    rows = [
        (item.invoice, item.open_chf, item.state, item.days_overdue, item.bucket)
        for group in items.participants
        for item in group.items
    ]
    statements = issued.statements
    assert rows == [
        (second, Decimal("49.85"), "partly_paid", 45, "days_31_60"),
        (third, Decimal("102.47"), "open", 45, "days_31_60"),
        (statements[0], Decimal("-14.30"), "credit_open", 0, "credit"),
        (statements[1], Decimal("-113.33"), "credit_open", 0, "credit"),
    ]
    assert items.totals == {
        "not_due": Decimal("0.00"),
        "days_1_30": Decimal("0.00"),
        "days_31_60": Decimal("152.32"),
        "days_61_90": Decimal("0.00"),
        "days_over_90": Decimal("0.00"),
        "credit": Decimal("-127.63"),
    }
    assert open_items(community=issued.community, today=date(2026, 12, 1)).totals["not_due"] == Decimal("152.32")


def test_the_open_items_page_links_each_invoice_and_reads_with_a_fixed_number_of_queries(staff, issued):
    url = reverse("admin:payments_open_items") + f"?community={issued.community.pk}"
    staff.get(url)  # warm the session and the content types
    with CaptureQueriesContext(connection) as queries:
        page = text(staff.get(url))
    second = issued.invoices[1]
    assert reverse("admin:billing_invoice_change", args=[second.pk]) in page
    buckets = cells(page, "buckets")
    assert buckets[0] == ["nicht fällig", "1–30 Tage", "31–60 Tage", "61–90 Tage", "über 90 Tage", "Guthaben", "Total"]
    assert buckets[1] == ["302.79", "0.00", "0.00", "0.00", "0.00", "-127.63", "175.16"]
    row = next(row for row in cells(page, "items") if row[1] == second.display_number)
    assert row[2:] == ["Rechnung", f"{second.due_date:%d.%m.%Y}", "99.85", "99.85", "offen", "0", "nicht fällig"]
    empty = CommunityFactory(iban="")
    with CaptureQueriesContext(connection) as none_open:
        assert "Keine offenen Posten." in text(
            staff.get(reverse("admin:payments_open_items") + f"?community={empty.pk}")
        )
    assert len(queries) == len(none_open)  # five items or none: the same queries


def test_the_credit_page_and_the_filters_of_the_credit_list(staff, issued):
    bank_file_import(
        data=issued.camt(Entry([Tx(Decimal("3.00"), debtor="Niemand", unstructured="Spende")])),
        filename="april.xml",
        actor=None,
        door=Door.COMMAND,
    )
    credit = BankCredit.objects.get()
    page = text(staff.get(reverse("admin:payments_bankcredit_change", args=[credit.pk])))
    assert "Die Zahlung hat keine Referenz." in page and "Spende" in page
    url = reverse("admin:payments_bankcredit_changelist")
    assert "Niemand" in text(staff.get(url + f"?bank_file__community__id__exact={issued.community.pk}"))
    assert "Niemand" not in text(staff.get(url + "?status__exact=matched"))


@pytest.mark.parametrize("name", ["payments_bankfile_upload", "payments_open_items", "payments_bankfile_changelist"])
def test_people_who_are_not_staff_are_sent_to_the_login(client, utility_user, name):
    client.force_login(utility_user)
    response = client.get(reverse(f"admin:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_change_permission_cannot_upload_or_book(client, issued):
    from tests.accounts.factories import StaffUserFactory

    viewer = StaffUserFactory(is_superuser=False)
    client.force_login(viewer)
    data = issued.camt(issued.paying(issued.invoices[0], ref="TX-1"))
    response = client.post(reverse("admin:payments_bankfile_upload"), {"file": SimpleUploadedFile("a.xml", data)})
    assert response.status_code == 403
    assert BankFile.objects.count() == Settlement.objects.count() == 0
