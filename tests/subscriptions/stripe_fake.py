"""Stripe at the HTTP layer: answers in Stripe's JSON shape (API version 2026-05-27.dahlia) from stripe_answers/,
and what our code sent, decoded from Stripe's form encoding."""

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

ANSWERS = Path(__file__).parent / "stripe_answers"
API = "https://api.stripe.com/v1"
TEST_KEY = "sk_test_OpenLEGTest000000000000000000"


def answer(file: str, /, **changes) -> dict:
    """The stored answer ``file`` (stripe_answers/<file>.json) with ``changes`` applied to its top-level fields."""
    data = json.loads((ANSWERS / f"{file}.json").read_text())
    data.update(changes)
    return data


def stripe_list(url: str, items: list[dict]) -> dict:
    return answer("list", url=url, data=items)


def sent(call) -> dict:
    """A request's parameters (form body of a POST, query of a GET) as a dict, keys as Stripe writes them."""
    text = call.request.body if call.request.method == "POST" else urlsplit(call.request.url).query
    if isinstance(text, bytes):
        text = text.decode()
    return dict(parse_qsl(text or "", keep_blank_values=True))


def route(call) -> str:
    return f"{call.request.method} {urlsplit(call.request.url).path}"


def created_product(request) -> tuple[int, dict, str]:
    """responses callback for POST /v1/products: the product Stripe would make of the parameters."""
    params = dict(parse_qsl(request.body))
    plan = params["metadata[openleg_plan]"]
    product = answer("product", id=f"prod_{plan}", name=params["name"], metadata={"openleg_plan": plan})
    return 200, {}, json.dumps(product)


def created_price(request) -> tuple[int, dict, str]:
    """responses callback for POST /v1/prices: the price Stripe would make of the parameters."""
    params = dict(parse_qsl(request.body))
    amount = int(params["unit_amount"])
    price = answer(
        "price",
        id=f"price_{params['lookup_key']}_{amount}",
        product=params["product"],
        currency=params["currency"],
        unit_amount=amount,
        unit_amount_decimal=str(amount),
        lookup_key=params["lookup_key"],
        metadata={"openleg_plan": params["metadata[openleg_plan]"]},
    )
    price["recurring"] = {**price["recurring"], "interval": params["recurring[interval]"]}
    return 200, {}, json.dumps(price)


def answer_djstripe_reads(mock) -> None:
    """What dj-stripe itself asks while it copies objects: the account of the key (once) and a product's features."""
    mock.get(f"{API}/account", json=answer("account"))
    mock.get(re.compile(rf"{API}/products/[\w-]+/features"), json=stripe_list("/v1/products/features", []))


def our_calls(mock) -> list[tuple[str, dict]]:
    """The calls our code made (dj-stripe's own reads left out), with their decoded parameters."""
    return [
        (route(call), sent(call))
        for call in mock.calls
        if route(call) != "GET /v1/account" and not route(call).endswith("/features")
    ]
