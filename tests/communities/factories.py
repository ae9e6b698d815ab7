from datetime import date
from decimal import Decimal

import factory

from communities.models import Community, Membership, MeteringPoint, Participant, Tariff
from tests.pipeline.factories import MunicipalityFactory, UtilityFactory


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        skip_postgeneration_save = True

    utility = factory.SubFactory(UtilityFactory)
    name = factory.Sequence(lambda n: f"LEG {n}")
    municipality = factory.SubFactory(MunicipalityFactory)
    start_date = date(2026, 4, 1)
    street = "Dorfstrasse"
    house_number = "1"
    postcode = "8000"
    town = "Zürich"
    iban = "CH9300762011623852957"

    @factory.post_generation
    def serve_municipality(obj, create, extracted, **kwargs):
        if create:
            obj.utility.municipalities.add(obj.municipality)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    community = factory.SubFactory(CommunityFactory)
    kind = "person"
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Muster{n}")
    role = "consumer"
    member_from = date(2026, 1, 1)
    customer_number = factory.Sequence(lambda n: f"K{n:05d}")
    street = "Dorfstrasse"
    house_number = factory.Sequence(lambda n: str(n + 1))
    postcode = "8000"
    town = "Zürich"


class MeteringPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeteringPoint

    mp_id = factory.Sequence(lambda n: f"CH10099912345{n:020d}")
    utility = factory.SubFactory(UtilityFactory)
    connection_capacity_kw = Decimal("25.000")
    installed_capacity_kwp = Decimal("0")
    transformer_circuit = "TS-1"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    participant = factory.SubFactory(ParticipantFactory)
    # the database refuses a point outside the community's grid
    metering_point = factory.SubFactory(
        MeteringPointFactory, utility=factory.SelfAttribute("..participant.community.utility")
    )
    valid_from = date(2026, 1, 1)


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tariff

    community = factory.SubFactory(CommunityFactory)
    version = factory.Sequence(lambda n: n + 1)
    valid_from = date(2026, 1, 1)
    consumer_price_rp_kwh = Decimal("20.0000")
    producer_price_rp_kwh = Decimal("12.0000")
