"""The participant list in the portal: template downloads, upload, preview with errors at row and column, apply
all or nothing through the services (audit door "portal"), idempotent, one effect per upload; desk only, own
utility only, a fixed number of queries for the preview."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from communities.demo import load_demo_master_data
from communities.models import AuditEntry, Community, Membership, MeteringPoint, Participant, ParticipantListUpload
from tests.accounts.factories import UtilityUserFactory
from tests.communities.factories import (
    CommunityFactory,
    MembershipFactory,
    MeteringPointFactory,
    ParticipantFactory,
)
from tests.communities.test_participant_lists import HEADERS, POINT_1, POINT_2, csv_bytes, person

pytestmark = pytest.mark.django_db

POINT_3 = "CH1009991234500000300000000000013"


@pytest.fixture
def community():
    return CommunityFactory(name="LEG Rebhalde Test", slug="rebhalde-test", start_date=date(2027, 4, 1))


@pytest.fixture
def desk(client, community):
    user = UtilityUserFactory(utility=community.utility, portal_role="desk")
    client.force_login(user)
    return user


def three_rows() -> list[dict]:
    return [
        person(),
        person(Messpunkt=POINT_2, **{"installierte Leistung kWp": "0"}),  # a second point of the same participant
        person(
            Kundennummer="30102",
            Nachname="",
            Vorname="",
            Firma="Rebhalde AG",
            Rolle="Produzent",
            Messpunkt=POINT_3,
            **{"Anschlussleistung kW": "40", "installierte Leistung kWp": "60,5"},
        ),
    ]


def upload_url(community) -> str:
    return reverse("portal:participant-list-upload", kwargs={"pk": community.pk})


def post_file(client, community, content: bytes, name: str = "liste.csv"):
    return client.post(upload_url(community), {"file": SimpleUploadedFile(name, content)})


def staged(client, community, content: bytes) -> ParticipantListUpload:
    response = post_file(client, community, content)
    upload = ParticipantListUpload.objects.latest("pk")
    assert response.url == f"/utility/communities/{community.pk}/participants/upload/{upload.token}/"
    return upload


def preview_url(upload) -> str:
    return reverse("portal:participant-list-preview", kwargs={"pk": upload.community_id, "token": upload.token})


def apply_url(upload) -> str:
    return reverse("portal:participant-list-apply", kwargs={"pk": upload.community_id, "token": upload.token})


def test_the_templates_download_and_read_back(client, desk, community):
    xlsx = client.get(f"/utility/communities/{community.pk}/participants/template.xlsx")
    csv = client.get(f"/utility/communities/{community.pk}/participants/template.csv")

    assert xlsx["Content-Disposition"] == 'attachment; filename="teilnehmerliste-rebhalde-test.xlsx"'
    assert csv["Content-Disposition"] == 'attachment; filename="teilnehmerliste-rebhalde-test.csv"'
    sheet = pd.read_excel(io.BytesIO(xlsx.content), dtype=str)
    headers = list(sheet.columns)
    assert headers == HEADERS
    assert sheet.loc[0, "Messpunkt"] == "CH1009991234500000000000000000001"
    assert sheet.loc[0, "Rolle"] == "Prosumer"
    assert load_workbook(io.BytesIO(xlsx.content)).active["M2"].number_format == "DD.MM.YYYY"
    table = pd.read_csv(io.BytesIO(csv.content), sep=";", dtype=str, encoding="utf-8-sig")
    assert list(table.columns) == headers
    assert table.loc[0, "Mitglied ab"] == "01.04.2027"
    assert table.loc[0, "installierte Leistung kWp"] == "9.6"


def test_the_template_itself_previews_without_errors(client, desk, community):
    content = client.get(f"/utility/communities/{community.pk}/participants/template.xlsx").content

    page = client.get(preview_url(staged(client, community, content))).content.decode()

    assert "Fehler" not in page
    assert "Übernehmen" in page


def test_the_upload_page_has_a_labelled_file_field_and_template_links(client, desk, community):
    page = client.get(upload_url(community)).content.decode()

    assert '<label for="participant-list-file">Teilnehmerliste (CSV oder Excel .xlsx)</label>' in page
    assert f'href="/utility/communities/{community.pk}/participants/template.xlsx"' in page
    assert "Hochladen und prüfen" in page


def test_the_community_page_links_the_upload_for_the_desk_only(client, desk, community):
    page = client.get(reverse("portal:community", args=[community.pk])).content.decode()
    assert "Teilnehmerliste hochladen" in page
    assert "Vorlage herunterladen" in page
    client.force_login(UtilityUserFactory(utility=community.utility, portal_role="viewer"))
    page = client.get(reverse("portal:community", args=[community.pk])).content.decode()
    assert "Teilnehmerliste hochladen" not in page


def test_the_preview_shows_what_would_happen_per_row(client, desk, community):
    existing = ParticipantFactory(
        community=community, customer_number="30101", member_from=date(2027, 4, 1), email="alt@example.ch"
    )
    MembershipFactory(
        participant=existing,
        valid_from=date(2027, 4, 1),
        metering_point__mp_id=POINT_1,
        metering_point__connection_capacity_kw=Decimal("25.000"),
        metering_point__installed_capacity_kwp=Decimal("9.600"),
    )
    upload = staged(client, community, csv_bytes(three_rows()))

    page = client.get(preview_url(upload)).content.decode()

    assert "Übernehmen erstellt 1 Teilnehmende und ändert 1; 2 Messpunkte neu, 0 geändert; 2 Zuordnungen neu." in page
    row_2 = page.split('id="zeile-2"')[1].split("</tr>")[0]
    changed = "Nachname, Vorname, Strasse, Hausnummer, PLZ, Ort, E-Mail, Rolle, IBAN für Auszahlungen"
    assert f"Teilnehmende: geändert ({changed})" in row_2
    assert "Messpunkt: unverändert" in row_2
    assert "Zuordnung: besteht" in row_2
    row_3 = page.split('id="zeile-3"')[1].split("</tr>")[0]
    assert "Teilnehmende: wie Zeile 2" in row_3
    assert "Zuordnung: neu ab 01.04.2027" in row_3
    assert ">Übernehmen</button>" in page


def test_the_preview_shows_each_error_at_its_row_and_column_and_offers_no_apply(client, desk, community):
    rows = three_rows()
    rows[2]["Messpunkt"] = "CH100999"
    upload = staged(client, community, csv_bytes(rows))

    page = client.get(preview_url(upload)).content.decode()

    assert (
        "<li>Zeile 4, Spalte «Messpunkt»: Eine Messpunkt-ID hat 33 Zeichen: «CH», 6 Ziffern der VNB-Nummer und "
        "25 Zeichen aus 0–9, A–Z oder «-».</li>"
    ) in page
    assert "1 Fehler: nichts wird übernommen" in page
    row_4 = page.split('id="zeile-4"')[1].split("</tr>")[0]
    assert "<strong>Messpunkt</strong>: Eine Messpunkt-ID hat 33 Zeichen" in row_4
    assert ">Übernehmen</button>" not in page


def test_missing_columns_in_the_preview(client, desk, community):
    content = b"Kundennummer;Nachname\r\n1;Muster\r\n"

    page = client.get(preview_url(staged(client, community, content))).content.decode()

    assert (
        "Es fehlen Spalten: «Strasse», «PLZ», «Ort», «Rolle», «Mitglied ab», «Messpunkt», «Anschlussleistung kW». "
        "Die Vorlage zeigt alle Spalten."
    ) in page


def test_apply_creates_participants_points_and_memberships_with_portal_audit(client, desk, community):
    upload = staged(client, community, csv_bytes(three_rows()))

    response = client.post(apply_url(upload), follow=True)

    assert response.redirect_chain == [(f"/utility/communities/{community.pk}/#teilnehmende", 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "Teilnehmerliste übernommen: 2 Teilnehmende neu, 0 geändert; 3 Messpunkte neu, 0 geändert; 3 Zuordnungen neu."
    ]
    participants = Participant.objects.filter(community=community).order_by("customer_number")
    assert [(p.customer_number, p.display_name, p.kind, p.role, p.iban) for p in participants] == [
        ("30101", "Käthi Zürcher", "person", "prosumer", "CH9300762011623852957"),
        ("30102", "Rebhalde AG", "company", "producer", "CH9300762011623852957"),
    ]
    points = MeteringPoint.objects.filter(utility=community.utility).order_by("mp_id")
    assert [(p.mp_id, p.connection_capacity_kw, p.installed_capacity_kwp, p.municipality_id) for p in points] == [
        (POINT_1, Decimal("25.000"), Decimal("9.600"), community.municipality_id),
        (POINT_2, Decimal("25.000"), Decimal("0.000"), community.municipality_id),
        (POINT_3, Decimal("40.000"), Decimal("60.500"), community.municipality_id),
    ]
    memberships = Membership.objects.filter(participant__community=community).order_by("metering_point__mp_id")
    assert [(m.metering_point.mp_id, m.participant.customer_number, m.valid_from) for m in memberships] == [
        (POINT_1, "30101", date(2027, 4, 1)),
        (POINT_2, "30101", date(2027, 4, 1)),
        (POINT_3, "30102", date(2027, 4, 1)),
    ]
    audit = AuditEntry.objects.order_by("pk")
    assert [(entry.model, entry.action, entry.door, entry.actor_id) for entry in audit] == [
        ("communities.Participant", "create", "portal", desk.pk),
        ("communities.MeteringPoint", "create", "portal", desk.pk),
        ("communities.Membership", "create", "portal", desk.pk),
        ("communities.MeteringPoint", "create", "portal", desk.pk),
        ("communities.Membership", "create", "portal", desk.pk),
        ("communities.Participant", "create", "portal", desk.pk),
        ("communities.MeteringPoint", "create", "portal", desk.pk),
        ("communities.Membership", "create", "portal", desk.pk),
    ]


def test_a_file_with_one_bad_row_writes_nothing(client, desk, community):
    rows = three_rows()
    rows[1]["Mitglied ab"] = "1.4.27"
    upload = staged(client, community, csv_bytes(rows))

    response = client.post(apply_url(upload), follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        "Die Liste wurde nicht übernommen: Zeile 3, Spalte «Mitglied ab»: «1.4.27» ist kein Datum; bitte TT.MM.JJJJ "
        "schreiben, z. B. 01.04.2027."
    ]
    assert response.redirect_chain == [(preview_url(upload), 302)]
    assert (Participant.objects.count(), MeteringPoint.objects.count(), AuditEntry.objects.count()) == (0, 0, 0)
    assert ParticipantListUpload.objects.get(pk=upload.pk).applied_at is None


def test_reapplying_the_same_file_changes_nothing(client, desk, community):
    content = csv_bytes(three_rows())
    client.post(apply_url(staged(client, community, content)))
    entries = AuditEntry.objects.count()
    again = staged(client, community, content)

    page = client.get(preview_url(again)).content.decode()
    response = client.post(apply_url(again), follow=True)

    assert "Die Liste entspricht den gespeicherten Daten; es gibt nichts zu übernehmen." in page
    assert ">Übernehmen</button>" not in page
    assert [str(message) for message in response.context["messages"]] == [
        "Die Liste entspricht den gespeicherten Daten; es wurde nichts geändert."
    ]
    assert AuditEntry.objects.count() == entries == 8


def test_a_changed_capacity_updates_the_point_and_nothing_else(client, desk, community):
    rows = three_rows()
    client.post(apply_url(staged(client, community, csv_bytes(rows))))
    rows[2]["Anschlussleistung kW"] = "45"

    client.post(apply_url(staged(client, community, csv_bytes(rows))))

    assert MeteringPoint.objects.get(mp_id=POINT_3).connection_capacity_kw == Decimal("45.000")
    latest = AuditEntry.objects.latest("pk")
    assert (latest.model, latest.action, latest.changes) == (
        "communities.MeteringPoint",
        "update",
        {"connection_capacity_kw": ["40.000", "45.000"]},
    )
    assert AuditEntry.objects.count() == 9


def test_a_double_submit_has_one_effect(client, desk, community):
    upload = staged(client, community, csv_bytes(three_rows()))

    client.post(apply_url(upload), follow=True)
    response = client.post(apply_url(upload), follow=True)

    assert [str(message) for message in response.context["messages"]] == ["Diese Liste wurde bereits übernommen."]
    assert (Participant.objects.count(), AuditEntry.objects.count()) == (2, 8)


def test_a_point_of_another_grid_is_refused_without_naming_that_utility(client, desk, community):
    foreign_point = MeteringPointFactory(mp_id=POINT_3)
    upload = staged(client, community, csv_bytes(three_rows()))

    page = client.get(preview_url(upload)).content.decode()

    assert f"Zeile 4, Spalte «Messpunkt»: Der Messpunkt {POINT_3} gehört nicht zu Ihrem Netz." in page
    assert foreign_point.utility.name not in page


def test_a_point_in_another_community_of_the_grid_at_that_date(client, desk, community):
    other = CommunityFactory(utility=community.utility, name="LEG Nachbar")
    MembershipFactory(participant__community=other, metering_point__mp_id=POINT_1, valid_from=date(2026, 1, 1))

    page = client.get(preview_url(staged(client, community, csv_bytes(three_rows())))).content.decode()

    assert (
        f"Zeile 2, Spalte «Messpunkt»: Der Messpunkt {POINT_1} ist ab 01.01.2026 der Gemeinschaft «LEG Nachbar» "
        "zugeordnet; ein Messpunkt kann nur in einer Gemeinschaft zugleich sein."
    ) in page


def test_a_point_that_left_another_community_before_the_start_is_free(client, desk, community):
    other = CommunityFactory(utility=community.utility, name="LEG Nachbar")
    MembershipFactory(
        participant__community=other,
        metering_point__mp_id=POINT_1,
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 3, 31),
    )
    upload = staged(client, community, csv_bytes(three_rows()))

    client.post(apply_url(upload))

    assert Membership.objects.filter(metering_point__mp_id=POINT_1).count() == 2


def test_an_upload_without_a_file_says_so(client, desk, community):
    response = client.post(upload_url(community), follow=True)

    assert [str(message) for message in response.context["messages"]] == ["Bitte eine Datei wählen."]


def test_a_viewer_may_not(client, community):
    upload = ParticipantListUpload.objects.create(
        community=community, uploaded_by=UtilityUserFactory(utility=community.utility), filename="x.csv", content=b""
    )
    client.force_login(UtilityUserFactory(utility=community.utility, portal_role="viewer"))
    urls = [
        f"/utility/communities/{community.pk}/participants/template.xlsx",
        f"/utility/communities/{community.pk}/participants/template.csv",
        upload_url(community),
        preview_url(upload),
        apply_url(upload),
    ]

    assert {url: (client.get(url).status_code, client.post(url).status_code) for url in urls} == {
        url: (403, 403) for url in urls
    }


def test_another_utilitys_community_or_another_users_upload_is_not_found(client, desk, community):
    foreign = CommunityFactory()
    foreign_upload = ParticipantListUpload.objects.create(
        community=foreign, uploaded_by=UtilityUserFactory(utility=foreign.utility), filename="x.csv", content=b""
    )
    colleague_upload = ParticipantListUpload.objects.create(
        community=community, uploaded_by=UtilityUserFactory(utility=community.utility), filename="x.csv", content=b""
    )
    own_community_foreign_token = reverse(
        "portal:participant-list-preview", kwargs={"pk": community.pk, "token": foreign_upload.token}
    )
    urls = [
        f"/utility/communities/{foreign.pk}/participants/template.xlsx",
        upload_url(foreign),
        preview_url(foreign_upload),
        apply_url(foreign_upload),
        own_community_foreign_token,
        own_community_foreign_token + "apply/",
        preview_url(colleague_upload),
        apply_url(colleague_upload),
    ]

    answers = {url: (client.get(url).status_code, client.post(url).status_code) for url in urls}

    assert answers == {url: (404, 404) for url in urls}
    assert ParticipantListUpload.objects.filter(applied_at__isnull=False).count() == 0


def test_apply_answers_only_posts(client, desk, community):
    upload = staged(client, community, csv_bytes(three_rows()))

    assert client.get(apply_url(upload)).status_code == 405


@pytest.mark.parametrize("size", [5, 50])
def test_the_preview_takes_a_fixed_number_of_queries(client, desk, community, django_assert_num_queries, size):
    rows = [person(Kundennummer=f"4{n:04d}", Messpunkt=f"CH100999{n:025d}") for n in range(size)]
    for n in range(0, size, 2):  # half of them exist already, with their point
        existing = ParticipantFactory(community=community, customer_number=f"4{n:04d}", member_from=date(2027, 4, 1))
        MembershipFactory(participant=existing, metering_point__mp_id=f"CH100999{n:025d}", valid_from=date(2027, 4, 1))
    upload = staged(client, community, csv_bytes(rows))

    with django_assert_num_queries(9):  # user, community, upload, 3 for the plan, 3 for the page frame
        response = client.get(preview_url(upload))

    assert response.status_code == 200


SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "participant_lists"


def test_the_sample_files_against_the_demo_community_in_formation(client):
    load_demo_master_data()
    rebhalde = Community.objects.get(slug="rebhalde")
    client.force_login(User.objects.get(username="desk"))

    bad = client.get(preview_url(staged(client, rebhalde, (SAMPLES / "one_bad_row.csv").read_bytes())))
    good = staged(client, rebhalde, (SAMPLES / "good.csv").read_bytes())
    response = client.post(apply_url(good), follow=True)

    assert (
        "<li>Zeile 3, Spalte «Messpunkt»: Eine Messpunkt-ID hat 33 Zeichen: «CH», 6 Ziffern der VNB-Nummer und "
        "25 Zeichen aus 0–9, A–Z oder «-».</li>"
    ) in bad.content.decode()
    assert "1 Fehler: nichts wird übernommen" in bad.content.decode()
    assert [str(message) for message in response.context["messages"]] == [
        "Teilnehmerliste übernommen: 3 Teilnehmende neu, 1 geändert; 4 Messpunkte neu, 0 geändert; 4 Zuordnungen neu."
    ]
    assert rebhalde.participants.count() == 9
    assert Participant.objects.get(community=rebhalde, customer_number="30002").email == "beat.brunner@example.ch"


def test_apply_checks_again_what_changed_since_the_preview(client, desk, community):
    upload = staged(client, community, csv_bytes(three_rows()))
    assert ">Übernehmen</button>" in client.get(preview_url(upload)).content.decode()
    other = CommunityFactory(utility=community.utility, name="LEG Nachbar")
    MembershipFactory(participant__community=other, metering_point__mp_id=POINT_3, valid_from=date(2027, 1, 1))
    audit_before = AuditEntry.objects.count()

    response = client.post(apply_url(upload), follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        f"Die Liste wurde nicht übernommen: Zeile 4, Spalte «Messpunkt»: Der Messpunkt {POINT_3} ist ab 01.01.2027 "
        "der Gemeinschaft «LEG Nachbar» zugeordnet; ein Messpunkt kann nur in einer Gemeinschaft zugleich sein."
    ]
    assert Participant.objects.filter(community=community).count() == 0
    assert AuditEntry.objects.count() == audit_before
