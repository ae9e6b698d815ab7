from datetime import timedelta

import pytest
from django.urls import reverse

from billing.models import Settlement
from payments.models import ReminderRun
from tests.billing.conftest import march_community  # noqa: F401
from tests.payments.test_reminders import due_day, issued  # noqa: F401

pytestmark = pytest.mark.django_db


def test_staff_propose_read_and_approve_a_reminder_list(staff, issued):  # noqa: F811
    issued.community.status = "active"
    issued.community.save()
    as_of = due_day(issued) + timedelta(days=10)
    listing = staff.get(reverse("admin:payments_reminderrun_changelist")).content.decode()
    assert "Mahnvorschlag erstellen" in listing

    response = staff.post(
        reverse("admin:payments_reminderrun_propose"),
        {"community": issued.community.pk, "as_of": as_of.isoformat()},
        follow=True,
    )
    run = ReminderRun.objects.get()
    page = response.content.decode()
    assert "Freigeben und versenden" in page
    assert page.count("<td>1</td>") == 3  # three first reminders

    confirm = staff.get(reverse("admin:payments_reminderrun_approve", args=[run.pk])).content.decode()
    assert "Die Freigabe bucht Mahngebühren von CHF 0.00 und versendet 3 Mahnungen über insgesamt CHF 302.79." in (
        confirm
    )
    done = staff.post(reverse("admin:payments_reminderrun_approve", args=[run.pk]), follow=True).content.decode()
    assert "Der Mahnlauf ist freigegeben; die Mahnungen werden erstellt und versendet." in done
    run.refresh_from_db()
    assert run.status == "approved"
    again = staff.post(reverse("admin:payments_reminderrun_approve", args=[run.pk]), follow=True).content.decode()
    assert "Über diesen Mahnvorschlag wurde bereits entschieden." in again
    assert Settlement.objects.filter(kind="reminder_fee").count() == 0


def test_proposing_with_nothing_due_says_so_on_the_form(staff, issued):  # noqa: F811
    issued.community.status = "active"
    issued.community.save()
    as_of = due_day(issued)
    response = staff.post(
        reverse("admin:payments_reminderrun_propose"), {"community": issued.community.pk, "as_of": as_of.isoformat()}
    )
    assert f"hat am {as_of:%d.%m.%Y} keine Rechnung, die gemahnt werden muss." in response.content.decode()
    assert ReminderRun.objects.count() == 0
