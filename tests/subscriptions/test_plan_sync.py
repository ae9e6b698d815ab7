"""stripe_plans sync: the plans table made true in Stripe (answers at the HTTP layer), idempotent, and in dj-stripe."""

from io import StringIO

import pytest
import responses
from django.core.management import call_command
from django.core.management.base import CommandError
from djstripe.models import Price, Product

from subscriptions.plans import PLANS
from tests.subscriptions.stripe_fake import (
    API,
    answer,
    answer_djstripe_reads,
    created_price,
    created_product,
    our_calls,
    stripe_list,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

LOOKUP_KEYS = [f"openleg_{plan}_{interval}" for plan in PLANS for interval in ("month", "year")]
LIST_PRICES = {**{f"lookup_keys[{i}]": key for i, key in enumerate(LOOKUP_KEYS)}, "active": "true", "limit": "100"}
AMOUNTS = {"starter": (99000, 990000), "professional": (299000, 2990000), "enterprise": (990000, 9900000)}


def existing_products() -> list[dict]:
    return [
        answer("product", id=f"prod_{key}", name=str(plan.name), metadata={"openleg_plan": key})
        for key, plan in PLANS.items()
    ]


def existing_prices(**amounts) -> list[dict]:
    prices = []
    for key, (month, year) in {**AMOUNTS, **amounts}.items():
        for interval, amount in (("month", month), ("year", year)):
            price = answer(
                "price",
                id=f"price_openleg_{key}_{interval}_{amount}",
                product=f"prod_{key}",
                unit_amount=amount,
                unit_amount_decimal=str(amount),
                lookup_key=f"openleg_{key}_{interval}",
                metadata={"openleg_plan": key},
            )
            price["recurring"] = {**price["recurring"], "interval": interval}
            prices.append(price)
    return prices


def sync(stripe_http, products: list[dict], prices: list[dict]) -> list[str]:
    stripe_http.get(f"{API}/products", json=stripe_list("/v1/products", products))
    stripe_http.get(f"{API}/prices", json=stripe_list("/v1/prices", prices))
    stripe_http.add_callback(responses.POST, f"{API}/products", callback=created_product)
    stripe_http.add_callback(responses.POST, f"{API}/prices", callback=created_price)
    answer_djstripe_reads(stripe_http)
    out = StringIO()
    call_command("stripe_plans", "sync", stdout=out)
    return out.getvalue().splitlines()


def test_the_first_sync_creates_every_product_and_price(stripe_http):
    lines = sync(stripe_http, [], [])

    assert lines == [
        "Starter: Produkt angelegt, Preis monatlich CHF 990.00 angelegt, Preis jährlich CHF 9'900.00 angelegt",
        "Professional: Produkt angelegt, Preis monatlich CHF 2'990.00 angelegt, Preis jährlich CHF 29'900.00 angelegt",
        "Enterprise: Produkt angelegt, Preis monatlich CHF 9'900.00 angelegt, Preis jährlich CHF 99'000.00 angelegt",
    ]
    calls = our_calls(stripe_http)
    expected = [("GET /v1/products", {"limit": "100"}), ("GET /v1/prices", LIST_PRICES)]
    for key, plan in PLANS.items():
        expected.append(("POST /v1/products", {"name": str(plan.name), "metadata[openleg_plan]": key}))
        for interval, amount in zip(("month", "year"), AMOUNTS[key], strict=True):
            expected.append(
                (
                    "POST /v1/prices",
                    {
                        "product": f"prod_{key}",
                        "currency": "chf",
                        "unit_amount": str(amount),
                        "recurring[interval]": interval,
                        "lookup_key": f"openleg_{key}_{interval}",
                        "transfer_lookup_key": "true",
                        "metadata[openleg_plan]": key,
                    },
                )
            )
    assert calls == expected
    headers = stripe_http.calls[0].request.headers
    assert (headers["Authorization"], headers["Stripe-Version"]) == (
        "Bearer sk_test_OpenLEGTest000000000000000000",
        "2026-05-27.dahlia",
    )
    assert sorted(Product.objects.values_list("id", "name")) == [
        ("prod_enterprise", "Enterprise"),
        ("prod_professional", "Professional"),
        ("prod_starter", "Starter"),
    ]
    assert sorted(
        Price.objects.values_list("lookup_key", "stripe_data__unit_amount", "product_id", "active")
    ) == sorted(
        (f"openleg_{key}_{interval}", amount, f"prod_{key}", True)
        for key, amounts in AMOUNTS.items()
        for interval, amount in zip(("month", "year"), amounts, strict=True)
    )


def test_a_second_sync_changes_nothing(stripe_http):
    lines = sync(stripe_http, existing_products(), existing_prices())

    assert lines == ["Starter: unverändert", "Professional: unverändert", "Enterprise: unverändert"]
    assert [name for name, _ in our_calls(stripe_http)] == [
        "GET /v1/products",
        "GET /v1/prices",
    ]
    assert Price.objects.filter(active=True).count() == 6


def test_a_changed_amount_makes_a_new_price_with_the_lookup_key_and_deactivates_the_old(stripe_http):
    stripe_http.post(
        f"{API}/prices/price_openleg_starter_month_89000",
        json={**existing_prices(starter=(89000, 990000))[0], "active": False},
    )

    lines = sync(stripe_http, existing_products(), existing_prices(starter=(89000, 990000)))

    assert lines == [
        "Starter: Preis monatlich CHF 990.00 angelegt (bisher CHF 890.00, alter Preis deaktiviert)",
        "Professional: unverändert",
        "Enterprise: unverändert",
    ]
    calls = our_calls(stripe_http)
    assert calls[2:] == [
        (
            "POST /v1/prices",
            {
                "product": "prod_starter",
                "currency": "chf",
                "unit_amount": "99000",
                "recurring[interval]": "month",
                "lookup_key": "openleg_starter_month",
                "transfer_lookup_key": "true",
                "metadata[openleg_plan]": "starter",
            },
        ),
        ("POST /v1/prices/price_openleg_starter_month_89000", {"active": "false"}),
    ]
    assert sorted(
        Price.objects.filter(product_id="prod_starter").values_list("id", "stripe_data__unit_amount", "active")
    ) == [
        ("price_openleg_starter_month_89000", 89000, False),
        ("price_openleg_starter_month_99000", 99000, True),
        ("price_openleg_starter_year_990000", 990000, True),
    ]


def test_without_a_key_the_command_refuses_in_german(settings):
    settings.STRIPE_TEST_SECRET_KEY = ""
    settings.STRIPE_LIVE_SECRET_KEY = ""
    settings.STRIPE_LIVE_MODE = False

    with responses.RequestsMock() as nothing, pytest.raises(CommandError) as refusal:
        call_command("stripe_plans", "sync", stdout=StringIO())

    assert str(refusal.value) == "Zahlungen sind nicht eingerichtet: es ist kein Stripe-Schlüssel gesetzt."
    assert len(nothing.calls) == 0
    assert Product.objects.count() == 0
