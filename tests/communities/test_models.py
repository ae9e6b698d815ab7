from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from communities.models import Membership, Tariff
from communities.models.tariffs import TariffInUseError
from openleg.periods import utc_now
from tests.communities.factories import (
    CommunityFactory,
    MembershipFactory,
    MeteringPointFactory,
    ParticipantFactory,
    TariffFactory,
)

pytestmark = pytest.mark.django_db

MP_MESSAGE = "Eine Messpunkt-ID hat 33 Zeichen: «CH», 6 Ziffern der VNB-Nummer und 25 Zeichen aus 0–9, A–Z oder «-»."


@pytest.mark.parametrize(
    "mp_id",
    [
        "CH100790123450000000D011000800065",
        "CH1022201234500000000000000196130",
        "CH101110123450000000000000217130Y",
        "CH10041012345DFORE-TR020000000000",
    ],
)
def test_real_metering_point_ids_are_accepted(mp_id):
    MeteringPointFactory.build(mp_id=mp_id, utility=MeteringPointFactory().utility).full_clean()


@pytest.mark.parametrize(
    "mp_id",
    [
        "CH10079012345000000D011000800065",  # 32 characters
        "CH100790123450000000D0110008000651",  # 34 characters
        "DE100790123450000000D011000800065",  # not Swiss
        "CH1007A0123450000000D011000800065",  # letter in the VNB number
        "CH100790123450000000d011000800065",  # lower case
        "CH100790123450000000D01100080006_",  # underscore
    ],
)
def test_malformed_metering_point_ids_are_refused(mp_id):
    metering_point = MeteringPointFactory.build(mp_id=mp_id, utility=MeteringPointFactory().utility)
    with pytest.raises(ValidationError) as error:
        metering_point.full_clean()
    assert MP_MESSAGE in error.value.message_dict["mp_id"]


def test_database_refuses_malformed_metering_point_id():
    with pytest.raises(IntegrityError), transaction.atomic():
        MeteringPointFactory(mp_id="CH12")


def test_metering_point_id_is_unique():
    MeteringPointFactory(mp_id="CH1007901234500000000D11000800065")
    with pytest.raises(IntegrityError), transaction.atomic():
        MeteringPointFactory(mp_id="CH1007901234500000000D11000800065")


@pytest.mark.parametrize("field", ["connection_capacity_kw", "installed_capacity_kwp"])
def test_negative_capacities_are_refused(field):
    metering_point = MeteringPointFactory.build(utility=MeteringPointFactory().utility, **{field: Decimal("-1")})
    with pytest.raises(ValidationError) as error:
        metering_point.full_clean()
    assert error.value.message_dict[field] == ["Der Wert darf nicht negativ sein."]
    with pytest.raises(IntegrityError), transaction.atomic():
        metering_point.save()


def test_overlapping_membership_is_explained():
    first = MembershipFactory(valid_from=date(2026, 1, 1), valid_to=None)
    other_participant = ParticipantFactory(
        community__name="LEG Nachbarn", community__utility=first.metering_point.utility, member_from=date(2026, 1, 1)
    )
    second = Membership(metering_point=first.metering_point, participant=other_participant, valid_from=date(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert error.value.message_dict["valid_from"] == [
        f"Messpunkt {first.metering_point.mp_id} ist ab 01.01.2026 bereits {first.participant} in der Gemeinschaft "
        f"«{first.participant.community}» zugeordnet. Ein Messpunkt kann nur in einer Gemeinschaft zugleich sein."
    ]


def test_database_refuses_overlapping_membership_even_without_validation():
    first = MembershipFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 3, 31))
    other = ParticipantFactory(member_from=date(2026, 1, 1), community__utility=first.metering_point.utility)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(metering_point=first.metering_point, participant=other, valid_from=date(2026, 3, 31))
    # the day after the inclusive end is free
    Membership.objects.create(metering_point=first.metering_point, participant=other, valid_from=date(2026, 4, 1))
    assert first.metering_point.memberships.count() == 2


def test_membership_outside_participant_membership_is_refused():
    participant = ParticipantFactory(member_from=date(2026, 4, 1), member_to=date(2026, 12, 31))
    point = MeteringPointFactory(utility=participant.community.utility)
    membership = Membership(metering_point=point, participant=participant, valid_from=date(2026, 3, 1))
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert error.value.message_dict["valid_from"] == [
        f"Die Zuordnung muss innerhalb der Mitgliedschaft von {participant} liegen."
    ]


def test_overlapping_tariff_is_explained_and_refused_by_the_database():
    first = TariffFactory(valid_from=date(2026, 1, 1), valid_to=None, version=1)
    second = Tariff(
        community=first.community,
        version=2,
        valid_from=date(2026, 7, 1),
        consumer_price_rp_kwh=Decimal(21),
        producer_price_rp_kwh=Decimal(12),
    )
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert error.value.message_dict["valid_from"] == [
        "Der Tarif überschneidet sich mit Version 1 (gültig ab 01.01.2026). Beenden Sie zuerst die bisherige Version."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_tariffs_of_different_communities_may_overlap():
    TariffFactory(valid_from=date(2026, 1, 1))
    TariffFactory(valid_from=date(2026, 1, 1)).full_clean()


def test_used_tariff_cannot_be_edited_in_place_but_can_be_ended():
    tariff = TariffFactory(valid_from=date(2026, 1, 1))
    Tariff.objects.filter(pk=tariff.pk).update(used_at=utc_now())
    tariff.refresh_from_db()
    tariff.consumer_price_rp_kwh = Decimal("25")
    with pytest.raises(TariffInUseError):
        tariff.save()
    tariff.refresh_from_db()
    tariff.valid_to = date(2026, 6, 30)
    tariff.save()
    assert Tariff.objects.get(pk=tariff.pk).valid_to == date(2026, 6, 30)


def test_community_starts_on_the_first_of_a_month():
    community = CommunityFactory.build(utility=CommunityFactory().utility, start_date=date(2026, 4, 15))
    community.municipality = community.utility.communities.first().municipality
    with pytest.raises(ValidationError) as error:
        community.full_clean()
    assert error.value.message_dict["start_date"] == ["Eine LEG beginnt immer am Ersten eines Monats."]


def test_community_municipality_must_be_served_by_the_utility():
    served = CommunityFactory()
    other = CommunityFactory()
    served.municipality = other.municipality
    with pytest.raises(ValidationError) as error:
        served.full_clean()
    assert error.value.message_dict["municipality"] == [
        f"Diese Gemeinde liegt nicht im Netzgebiet von {served.utility}."
    ]


def test_database_refuses_a_third_reduction_rate():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityFactory(reduction_percent=30)


def test_person_needs_a_last_name():
    participant = ParticipantFactory.build(community=CommunityFactory(), last_name="")
    with pytest.raises(ValidationError) as error:
        participant.full_clean()
    assert error.value.message_dict["last_name"] == ["Bitte den Nachnamen angeben."]


def test_swiss_postcode_has_four_digits():
    participant = ParticipantFactory.build(community=CommunityFactory(), postcode="80001")
    with pytest.raises(ValidationError) as error:
        participant.full_clean()
    assert error.value.message_dict["postcode"] == ["Eine Schweizer Postleitzahl hat vier Ziffern, z. B. 8001."]
