from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from communities.models import Tariff
from documents.models import Document
from tests.documents.pdftext import pdf_text

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = StringIO()
    call_command("generate_documents", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_command_writes_the_pdfs_and_prints_one_path_per_line(talwil, tmp_path):
    paths = run("talwil-gewerbe", "--out", str(tmp_path))

    assert len(paths) == 1 + 9 + 1
    assert paths[0] == str(tmp_path / "gemeinschaftsvereinbarung-leg-talwil-gewerbe-v1.pdf")
    assert paths[-1] == str(tmp_path / "anmeldung-vnb-leg-talwil-gewerbe-v1.pdf")
    assert "Talwil" in pdf_text(Path(paths[-1]).read_bytes())
    assert Document.objects.filter(community=talwil).count() == 11


def test_one_kind_by_id_without_out_prints_the_stored_paths(talwil):
    paths = run(str(talwil.pk), "--kind", "registration")

    document = Document.objects.get(community=talwil)
    assert paths == [document.file.path]


def test_a_missing_value_is_a_command_error_naming_it(talwil):
    Tariff.objects.filter(community=talwil).delete()

    with pytest.raises(CommandError, match="es fehlt: Tarif \\(interne Preise\\) ab Start"):
        run("talwil-gewerbe", "--kind", "agreement")


def test_an_unknown_community_is_a_command_error():
    with pytest.raises(CommandError, match=r"^Keine LEG mit der Nummer oder Kurzbezeichnung «nirgendwo»\.$"):
        run("nirgendwo")


def test_invoices_of_a_community_without_invoices_stop_with_a_german_sentence_and_no_path(sonnenberg):
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("generate_documents", "sonnenberg-dorf", "--kind", "invoices", stdout=out)

    assert str(refused.value) == (
        "Die Gemeinschaft «LEG Sonnenberg Dorf» hat keine Rechnungen, Gutschriften oder Stornos: "
        "es gibt keine Rechnungs-PDFs zu erstellen."
    )
    assert out.getvalue() == ""


def test_invoices_asked_with_formation_documents_print_those_paths_first(sonnenberg):
    out = StringIO()
    with pytest.raises(CommandError, match="hat keine Rechnungen"):
        call_command(
            "generate_documents", "sonnenberg-dorf", "--kind", "registration", "--kind", "invoices", stdout=out
        )

    assert out.getvalue() == Document.objects.get(community=sonnenberg).file.path + "\n"
