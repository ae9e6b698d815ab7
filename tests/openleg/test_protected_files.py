"""Stored files are served only through the permission-checked door, under names nobody can guess."""

import hashlib
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import models
from django.urls import reverse
from django.utils import timezone

from communities.models import Door
from documents.models import DocumentKind
from documents.services import documents_generate
from metering.models import MeterImport
from openleg.protected_files import PROTECTED_FILES
from payments.models import BankFile
from tests.accounts.factories import StaffUserFactory, UtilityUserFactory

pytestmark = pytest.mark.django_db

SDAT = b'<?xml version="1.0"?><ValidatedMeteredData_12/>'


@pytest.fixture
def registration(sonnenberg):
    (document,) = documents_generate(
        community=sonnenberg, kinds=[DocumentKind.REGISTRATION], actor=None, door=Door.COMMAND
    )
    return document


def _stored(record, content: bytes):
    record.file.save(record.filename, ContentFile(content), save=True)
    return record


@pytest.fixture
def meter_import(sonnenberg):
    return _stored(
        MeterImport(
            created_at=timezone.now(),
            door=Door.COMMAND,
            utility=sonnenberg.utility,
            filename="lieferung.xml",
            sha256=hashlib.sha256(SDAT).hexdigest(),
            size=len(SDAT),
            status=MeterImport.Status.REJECTED,
        ),
        SDAT,
    )


@pytest.fixture
def bank_file(sonnenberg):
    return _stored(
        BankFile(
            created_at=timezone.now(),
            door=Door.ADMIN,
            filename="camt054.xml",
            sha256="0" * 64,
            size=3,
            community=sonnenberg,
            status="booked",
        ),
        b"<x/>",
    )


def _staff_who_may(*codenames: str):
    user = StaffUserFactory(is_superuser=False)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_every_file_field_of_the_project_is_protected():
    fields = {
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }

    assert fields == {f"{entry.model}.{entry.field}" for entry in PROTECTED_FILES}


def test_media_is_not_served_statically_any_more(client, registration):
    client.force_login(StaffUserFactory())

    assert client.get(f"/media/{registration.file.name}").status_code == 404
    assert registration.file.url == f"/files/{registration.file.name}"


def test_anonymous_visitors_are_sent_to_the_login(client, registration):
    response = client.get(registration.file.url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={registration.file.url}"


def test_another_utility_gets_404(client, registration, meter_import, bank_file):
    client.force_login(UtilityUserFactory())

    assert [client.get(f.url).status_code for f in (registration.file, meter_import.file, bank_file.file)] == [
        404,
        404,
        404,
    ]


def test_the_own_utility_gets_its_contract_pdf(client, sonnenberg, registration):
    client.force_login(UtilityUserFactory(utility=sonnenberg.utility))

    response = client.get(registration.file.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="anmeldung-vnb-leg-sonnenberg-dorf-v1.pdf"'
    assert _body(response).startswith(b"%PDF-")


def test_the_own_utility_gets_its_meter_file_as_delivered(client, sonnenberg, meter_import):
    client.force_login(UtilityUserFactory(utility=sonnenberg.utility))

    response = client.get(meter_import.file.url)

    assert response.status_code == 200
    assert response["Content-Type"] in {"text/xml", "application/xml"}
    assert _body(response) == SDAT


def test_staff_need_the_view_permission_of_the_files_model(client, registration, bank_file):
    client.force_login(_staff_who_may("view_document"))

    assert client.get(registration.file.url).status_code == 200
    assert client.get(bank_file.file.url).status_code == 404

    client.force_login(_staff_who_may("view_bankfile"))
    assert client.get(bank_file.file.url).status_code == 200
    assert client.get(registration.file.url).status_code == 404


def test_an_unknown_name_is_404_even_for_superusers(client, registration):
    client.force_login(StaffUserFactory())

    assert client.get("/files/documents/1/registration/anmeldung-vnb-v1.pdf").status_code == 404
    assert client.get("/files/../settings.py").status_code == 404


def test_stored_names_hold_a_random_folder(sonnenberg, registration):
    pattern = rf"documents/{sonnenberg.pk}/registration/([A-Za-z0-9_-]{{22}})/anmeldung-vnb-leg-sonnenberg-dorf-v1\.pdf"

    assert re.fullmatch(pattern, registration.file.name)


def test_two_files_of_the_same_name_get_different_folders(meter_import, sonnenberg):
    other = MeterImport.objects.get(pk=meter_import.pk)
    other.pk = None
    other.file.save("lieferung.xml", ContentFile(SDAT), save=False)

    first, second = meter_import.file.name, other.file.name
    assert first.rsplit("/", 1)[1] == second.rsplit("/", 1)[1] == "lieferung.xml"
    assert first.rsplit("/", 2)[1] != second.rsplit("/", 2)[1]


def test_admin_links_to_stored_files_go_through_the_checked_view(staff, bank_file, meter_import):
    pages = {
        bank_file.file.name: reverse("admin:payments_bankfile_change", args=[bank_file.pk]),
        meter_import.file.name: reverse("admin:metering_meterimport_change", args=[meter_import.pk]),
    }

    for name, page in pages.items():
        html = staff.get(page).content.decode()
        assert f'href="/files/{name}"' in html, page
        assert "/media/" not in html, page


@pytest.mark.parametrize("entry", PROTECTED_FILES, ids=lambda entry: f"{entry.model}.{entry.field}")
def test_each_kind_of_file_is_looked_up_through_a_real_utility_path_and_permission(entry):
    model = apps.get_model(entry.model)
    for name in entry.utility_path.split("__"):
        model = model._meta.get_field(name).related_model
    app_label, codename = entry.permission.split(".")

    assert model is apps.get_model("pipeline.Utility")
    assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()
