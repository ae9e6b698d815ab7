from datetime import date
from decimal import Decimal

import pytest

from communities.models import Community, Participant, Tariff
from documents.leg_documents import agreement_draft, basis_of, contract_drafts, registration_draft
from documents.pdf import html_to_pdf
from documents.templating import DocumentDataMissing, render_document_html
from tests.documents.pdftext import pdf_text, squeezed

pytestmark = pytest.mark.django_db


def rendered(draft) -> str:
    return pdf_text(html_to_pdf(draft.html))


def test_the_agreement_names_every_party_point_price_and_rule(sonnenberg):
    text = rendered(agreement_draft(basis_of(sonnenberg)))
    flat = squeezed(text)

    assert text.startswith("LEG Sonnenberg Dorf · Sonnenberg · Netzbetreiber: Elektrizitätswerk Sonnenberg AG (Demo)")
    assert "Gemeinschaftsvereinbarung" in text
    for participant in sonnenberg.participants.all():
        assert squeezed(participant.display_name) in flat
        for membership in participant.memberships.all():
            assert membership.metering_point.mp_id in flat
    assert "Bezug aus der LEG: 18.50 Rp./kWh. Vergütung für an die LEG gelieferte Elektrizität: 11.00 Rp./kWh." in (
        " ".join(text.split())
    )
    assert squeezed("Abweichend davon gelten in diesen Zeitfenstern (Schweizer Ortszeit) die folgenden Preise:") in flat
    assert squeezed("Hochtarif Montag bis Freitag 07:00–20:00 22.50 13.00") in flat
    assert squeezed("je Viertelstunde verteilt: proportional zum Verbrauch.") in flat
    assert squeezed("vertreten durch: Ammann Sonnenberg AG, Dorfstrasse 1, 5000 Sonnenberg.") in flat
    assert squeezed("Reduktion des Netznutzungstarifs von 40 %") in flat
    assert squeezed("Verwaltungsgebühr 2.50 pro Monat") in flat
    assert squeezed("innert 30 Tagen") in flat
    assert squeezed("Frist von 3 Monaten auf ein Monatsende austreten") in flat
    assert squeezed("Die LEG beginnt am 01.01.2026 und besteht auf unbestimmte Zeit.") in flat
    assert squeezed("StromVG Art. 17d und 17e, StromVV Art. 19e–19h") in flat
    assert "ß" not in text


def test_the_registration_shows_every_point_with_capacities_and_the_five_percent_figure(sonnenberg):
    text = rendered(registration_draft(basis_of(sonnenberg)))
    flat = squeezed(text)

    assert squeezed("Reduktion Netznutzungstarif 40 % (ein Trafokreis)") in flat
    assert squeezed("Gewünschter Start 01.01.2026") in flat
    assert squeezed("CH1009991234500000100000000000001 40 60") in flat
    assert squeezed("CH1009991234500000100000000000002 25 –") in flat
    assert squeezed("Summe 315 108") in flat
    assert (
        squeezed(
            "Die erneuerbare Produktionsleistung beträgt 108 kWp, das sind 34.2 % der summierten "
            "Anschlussleistung von 315 kW (verlangt: mindestens 5.0 % = 15.75 kW, StromVV Art. 19e)."
        )
        in flat
    )
    assert flat.count("CH10099912345000001") == 12


def test_a_consumers_recorded_kwp_are_not_shown_as_counted_so_the_column_adds_up(sonnenberg):
    consumer = sonnenberg.participants.get(memberships__metering_point__mp_id="CH1009991234500000100000000000002")
    consumer.memberships.get().metering_point.__class__.objects.filter(
        mp_id="CH1009991234500000100000000000002"
    ).update(installed_capacity_kwp=Decimal("12.000"))

    flat = squeezed(rendered(registration_draft(basis_of(sonnenberg))))

    assert consumer.role == "consumer"
    assert squeezed("CH1009991234500000100000000000002 25 –") in flat
    assert squeezed("Summe 315 108") in flat


def test_the_registration_of_a_community_across_transformers_states_twenty_percent(talwil):
    text = rendered(registration_draft(basis_of(talwil)))

    assert squeezed("Reduktion Netznutzungstarif 20 % (über eine Transformation)") in squeezed(text)


def test_one_contract_per_participant_with_its_points_tariff_start_and_notice(sonnenberg):
    drafts = contract_drafts(basis_of(sonnenberg))

    assert len(drafts) == 12
    brunner = next(d for d in drafts if d.participant.last_name == "Brunner")
    flat = squeezed(rendered(brunner))
    assert squeezed("Beat Brunner, Dorfstrasse 3, 5000 Sonnenberg") in flat
    assert squeezed("Kundennummer: 10002 · Rolle: Verbraucher") in flat
    assert squeezed("CH1009991234500000100000000000002") in flat
    assert squeezed("Die Teilnahme beginnt am 01.01.2026.") in flat
    assert squeezed("Bezug aus der LEG 18.50 Rp./kWh") in flat
    assert (
        squeezed(
            "Abweichend davon gelten: Hochtarif (Montag bis Freitag, 07:00–20:00): "
            "Bezug 22.50 Rp./kWh, Vergütung 13.00 Rp./kWh."
        )
        in flat
    )
    assert squeezed("Frist von 3 Monaten auf ein Monatsende gekündigt") in flat
    assert brunner.subject == f"participant:{brunner.participant.pk}"
    assert brunner.filename == "teilnehmervertrag-10002"


def test_markup_quotes_umlauts_and_long_names_render_literally(sonnenberg):
    hostile = '<b>Müller & "Söhne"</b> ' + "Ä" * 170
    Participant.objects.filter(community=sonnenberg, customer_number="10001").update(company_name=hostile)

    draft = agreement_draft(basis_of(Community.objects.get(pk=sonnenberg.pk)))

    assert "&lt;b&gt;Müller &amp; &quot;Söhne&quot;&lt;/b&gt;" in draft.html
    assert "<b>Müller" not in draft.html
    assert squeezed(hostile) in squeezed(rendered(draft))


def test_a_missing_representative_or_tariff_stops_generation_naming_it(sonnenberg):
    Community.objects.filter(pk=sonnenberg.pk).update(representative=None)
    Tariff.objects.filter(community=sonnenberg).delete()
    community = Community.objects.get(pk=sonnenberg.pk)

    with pytest.raises(DocumentDataMissing) as missing:
        agreement_draft(basis_of(community))

    assert missing.value.message == (
        "Gemeinschaftsvereinbarung kann nicht erstellt werden, es fehlt: Vertretung der LEG; "
        "Tarif (interne Preise) ab Start."
    )


def test_without_start_date_nothing_can_be_generated(sonnenberg):
    Community.objects.filter(pk=sonnenberg.pk).update(start_date=None)

    with pytest.raises(DocumentDataMissing) as missing:
        registration_draft(basis_of(Community.objects.get(pk=sonnenberg.pk)))

    assert missing.value.missing == ["Startdatum der LEG", "Teilnehmende mit Messpunkten ab Start"]


def test_the_template_engine_refuses_any_value_it_cannot_find():
    with pytest.raises(DocumentDataMissing) as missing:
        render_document_html("documents/registration.html", {"title": "Anmeldung"}, document="Anmeldung")

    assert "community.name" in missing.value.missing
    assert "utility.name" in missing.value.missing


def test_the_tariff_in_force_at_the_start_is_used(sonnenberg):
    Tariff.objects.filter(community=sonnenberg).update(valid_to=date(2026, 5, 31))
    Tariff.objects.create(
        community=sonnenberg,
        version=2,
        valid_from=date(2026, 6, 1),
        consumer_price_rp_kwh=Decimal("19.125"),
        producer_price_rp_kwh=Decimal("12"),
    )

    assert basis_of(sonnenberg).tariff.version == 1
    Community.objects.filter(pk=sonnenberg.pk).update(start_date=date(2026, 7, 1))
    later = basis_of(Community.objects.get(pk=sonnenberg.pk))
    assert later.tariff.version == 2
    assert "Bezug aus der LEG: 19.125 Rp./kWh." in agreement_draft(later).html


def test_an_address_in_a_sentence_has_no_space_before_its_punctuation(sonnenberg):
    agreement = " ".join(rendered(agreement_draft(basis_of(sonnenberg))).split())
    contract = " ".join(rendered(contract_drafts(basis_of(sonnenberg))[1]).split())

    assert "vertreten durch: Ammann Sonnenberg AG, Dorfstrasse 1, 5000 Sonnenberg. Die Vertretung" in agreement
    assert "vertreten durch Ammann Sonnenberg AG, Dorfstrasse 1, 5000 Sonnenberg, und Beat Brunner" in contract


def test_a_site_keeps_its_street_and_number_on_one_line(sonnenberg):
    lines = [" ".join(line.split()) for line in rendered(contract_drafts(basis_of(sonnenberg))[1]).splitlines()]

    assert "CH1009991234500000100000000000002 Dorfstrasse 3, Sonnenberg 25 0" in lines
