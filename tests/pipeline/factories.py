from decimal import Decimal

import factory

from pipeline.models import Municipality, Utility


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["bfs_number"]

    bfs_number = factory.Sequence(lambda n: 9000 + n % 999)
    name = factory.Sequence(lambda n: f"Gemeinde {n}")
    canton = "ZH"


class UtilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utility

    name = factory.Sequence(lambda n: f"Elektrizitätswerk {n} AG")
    short_name = factory.Sequence(lambda n: f"EW{n}")
    canton = "ZH"
    vnb_number = factory.Sequence(lambda n: f"{200000 + n:06d}")
    street = "Werkstrasse"
    house_number = "1"
    postcode = "8000"
    town = "Zürich"


class MarketMunicipalityFactory(MunicipalityFactory):
    """A municipality with every market figure recorded."""

    population = 5000
    installed_pv_kwp = factory.LazyFunction(lambda: Decimal("4000.0"))
    roof_potential_mwh = factory.LazyFunction(lambda: Decimal("30000.0"))
    market_data_source = "Testdaten"
