"""Every admin page of the demo, as a billing clerk reads it: no raw JSON, no raw codes, no Python values, labels.

One test walks the whole demo (loaded once; it takes a while) and collects every finding, so that one run names
all the pages to fix rather than the first one.
"""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from accounts.models import User
from billing.models import BillingRun, Invoice
from billing.services import billing_run_approve
from communities.models import Community
from documents.models import Document, SignatureRequest
from metering.csv_mappings import csv_mapping_confirm
from metering.models import MeterImport
from metering.parsers.generic import sniff
from metering.services import meter_import_stage
from openleg.periods import utc_now
from payments.bank_import import bank_file_import, bank_file_stage
from payments.demo import demo_bank_file_build
from payments.models import BankFile, PayoutBatch, ReminderRun
from payments.payouts import payout_batch_create
from payments.reminders import reminder_run_propose
from pipeline.models import Utility
from pipeline.reviews import pipeline_daily_review
from pipeline.services import outreach_draft_create
from tests.metering.conftest import fixture_bytes

pytestmark = pytest.mark.django_db

RAW_JSON = ('{"', "[{", '["', "': ", '": ')
PYTHON_REPRS = re.compile(r"object at 0x|Decimal\('|datetime\.(date|datetime)\(|<QuerySet|\b[A-Z]\w+ object \(\d+\)")
# Admin pages that are not a model's changelist or change page, with the objects they need.
# Django's, the scheduler's and dj-stripe's own pages: not ours to word
SKIPPED_APPS = {"django_celery_beat", "auth", "djstripe"}


# Django's own headings without text: the search field's icon, the inline's object column, the checkbox column
ICON_LABELS = ("searchbar", "original", "action-checkbox")


class _VisibleText(HTMLParser):
    """The text a reader sees (without scripts and styles), one entry per text node, plus labels and headings."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.empty_labels: list[str] = []
        self._skip = 0
        self._open: list[tuple[str, str, list[str]]] = []  # label/th/h2 being read: tag, attributes, text

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag in ("label", "th", "h2"):
            self._open.append((tag, " ".join(f"{k}={v}" for k, v in attrs), []))
        if tag == "input" and dict(attrs).get("type") == "checkbox":
            for _tag, _attrs, text in self._open:
                text.append("☐")  # a checkbox is the heading of the action column

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag in ("label", "th", "h2") and self._open and self._open[-1][0] == tag:
            opened, attrs, text = self._open.pop()
            if not "".join(text).strip(" :\n\t") and not any(ok in attrs for ok in ICON_LABELS):
                self.empty_labels.append(f"<{opened} {attrs}>")

    def handle_data(self, data):
        if self._skip:
            return
        for _tag, _attrs, text in self._open:
            text.append(data)
        if data.strip():
            self.nodes.append(data.strip())


def _codes_shown_raw() -> set[str]:
    """Choice values of our models whose label differs: shown alone, they are a code where a label belongs."""
    usernames = set(User.objects.values_list("username", flat=True))
    codes = set()
    for model in admin.site._registry:
        if model._meta.app_label in SKIPPED_APPS:
            continue
        for field in model._meta.fields:
            for value, label in field.flatchoices or ():
                # cantons go by their two letters ("ZH"), as everyone in Switzerland writes them
                canton = isinstance(value, str) and re.fullmatch(r"[A-Z]{2}", value)
                if isinstance(value, str) and value and str(label) != value and value not in usernames and not canton:
                    codes.add(value)
    return codes


def findings(url: str, html: str, codes: set[str]) -> list[str]:
    page = _VisibleText()
    page.feed(html)
    text = "\n".join(page.nodes)
    found = [f"{url}: raw JSON {marker!r}" for marker in RAW_JSON if marker in text]
    found += [f"{url}: raw code {node!r}" for node in page.nodes if node in codes]
    found += [f"{url}: raw code {node!r}" for node in page.nodes if re.fullmatch(r"\w+\.[A-Z]\w+", node)]
    found += [f"{url}: raw series code {m!r}" for m in re.findall(r"\b(?:consumption|production)/\w+", text)]
    found += [f"{url}: 'None' shown" for node in page.nodes if node == "None"]
    found += [f"{url}: Python value {m.group(0)!r}" for m in PYTHON_REPRS.finditer(text)]
    found += [f"{url}: empty label {label}" for label in page.empty_labels]
    return found


def _demo_with_money_and_mapping():
    """The demo, plus what a clerk meets a month later: a run issued, a bank file, a payout, reminders, a mapping."""
    call_command("load_demo")
    staff = User.objects.get(username="admin")
    community = Community.objects.get(slug="sonnenberg-dorf")
    run = BillingRun.objects.filter(community=community).order_by("period_start").first()
    billing_run_approve(run=run, actor=staff, reason="Abweichung geprüft", override_missing=True)
    demo = demo_bank_file_build(community=community, pay_percent=50, booked_on=date(2026, 5, 20))
    bank_file_import(data=demo.data, filename="camt054.xml", actor=staff, door="admin")
    payout_batch_create(community=community, execution_date=date(2030, 4, 10), actor=staff, door="admin")
    reminder_run_propose(community=community, as_of=utc_now().date() + timedelta(days=90), actor=staff, door="admin")
    later = demo_bank_file_build(community=community, pay_percent=100, booked_on=date(2026, 5, 27))
    bank_file_stage(data=later.data, filename="camt054-später.xml", actor=staff, door="admin")
    meter_import_stage(
        data=fixture_bytes("generic-unseen-layout.csv"), filename="neu.csv", actor=staff, door="admin", utility=None
    )
    bank_file_import(data=b"<Document>kein camt</Document>", filename="kaputt.xml", actor=staff, door="admin")
    outreach_draft_create(utility=Utility.objects.exclude(pk=community.utility_id).first(), actor=staff, door="admin")
    pipeline_daily_review(today=utc_now().date())
    document = Document.objects.filter(community=community).first()
    SignatureRequest.objects.create(
        document=document, signers=[{"name": "Ammann AG", "email": "a@example.ch"}], sent_sha256="0" * 64
    )
    data = fixture_bytes("generic-unseen-layout.csv")
    csv_mapping_confirm(utility=community.utility, data=data, mapping=sniff(data).to_dict(), name="EWS", actor=staff)
    return run


def _pages(run: BillingRun) -> list[str]:
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in SKIPPED_APPS:
            continue
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        first = model_admin.get_queryset(_request()).order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    invoice = Invoice.objects.filter(run=run).order_by("pk").first()
    community = run.community
    urls += [
        reverse("admin:metering_meterimport_upload"),
        reverse("admin:billing_billingrun_start"),
        reverse("admin:billing_billingrun_start_confirm") + f"?period=2026-06&community={community.pk}",
        reverse("admin:app_list", args=["pipeline"]),
        reverse("admin:payments_bankfile_upload"),
        reverse("admin:payments_open_items"),
        reverse("admin:payments_payoutbatch_due"),
        reverse("admin:payments_reminderrun_propose"),
        reverse("admin:documents_dispatch_outbox", args=[run.pk]),
        reverse("admin:communities_community_formation", args=[community.pk]),
        reverse("admin:billing_invoice_change", args=[invoice.pk]),
        reverse("admin:payments_bankfile_preview", args=[BankFile.objects.filter(status="preview").latest("pk").pk]),
        reverse("admin:payments_payoutbatch_confirm", args=[PayoutBatch.objects.latest("pk").pk]),
        reverse("admin:payments_payoutbatch_cancel", args=[PayoutBatch.objects.latest("pk").pk]),
        reverse("admin:payments_reminderrun_approve", args=[ReminderRun.objects.latest("pk").pk]),
        reverse("admin:metering_meterimport_preview", args=[MeterImport.objects.latest("pk").pk]),
        reverse("admin:billing_billingrun_deviations", args=[run.pk, invoice.participant_id]),
    ]
    for model in (BillingRun, Invoice, MeterImport, BankFile):  # the objects with the most to show
        for pk in model.objects.order_by("-pk").values_list("pk", flat=True)[:2]:
            urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk]))
    return urls


def _request():
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = User.objects.get(username="admin")
    return request


def test_every_admin_page_of_the_demo_reads_as_german_labels_without_raw_values(client):
    run = _demo_with_money_and_mapping()
    client.login(username="admin", password="openleg-admin")
    codes = _codes_shown_raw()
    problems = []
    for url in _pages(run):
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"{url}: HTTP {response.status_code}")
            continue
        problems += findings(url, response.content.decode(), codes)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<td>{"a": 1}</td>', ["/x: raw JSON '{\"'", "/x: raw JSON '\": '"]),
        ("<td>consumption/total</td>", ["/x: raw series code 'consumption/total'"]),
        ("<td>communities.Community</td>", ["/x: raw code 'communities.Community'"]),
        ("<td>None</td>", ["/x: 'None' shown"]),
        ('<td>["Datei leer"]</td>', ["/x: raw JSON '[\"'"]),
        ("<td><label></label></td>", ["/x: empty label <label >"]),
        ('<script>var a = {"b": 1}</script><td>Gemeinschaft</td>', []),
    ],
)
def test_the_page_check_catches_what_it_looks_for(html, expected):
    assert findings("/x", html, {"command"}) == expected


CODE_FIELDS = {"door", "kind", "format", "status", "direction", "channel", "state", "action"}


def _models_in_the_admin() -> set[type[models.Model]]:
    shown = set()
    for model, model_admin in admin.site._registry.items():
        shown.add(model)
        shown.update(inline.model for inline in model_admin.inlines)
    return {model for model in shown if model._meta.app_label not in SKIPPED_APPS}


def test_every_model_in_the_admin_names_itself_its_fields_and_its_codes_in_german():
    unnamed = []
    for model in sorted(_models_in_the_admin(), key=lambda model: model._meta.label):
        if str(model._meta.verbose_name) == re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower():
            unnamed.append(model._meta.label)
        for field in model._meta.concrete_fields:
            if field.name != "id" and str(field.verbose_name) == field.name.replace("_", " "):
                unnamed.append(f"{model._meta.label}.{field.name}")
            code = field.name in CODE_FIELDS or field.name.endswith("_door")
            if code and isinstance(field, models.CharField) and not field.choices:
                unnamed.append(f"{model._meta.label}.{field.name} without choices")
    assert unnamed == []
