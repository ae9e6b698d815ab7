"""Whatever a bank writes within the format, the parser gives back exactly what the file says."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from payments import camt
from payments.camt_writer import CamtFile, Entry, Tx, build
from payments.matching import names_match

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüéèàçABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ", min_size=1, max_size=20)
transactions = st.builds(
    Tx,
    amount=amounts,
    reference=st.from_regex(r"[0-9]{27}", fullmatch=True),
    debtor=st.lists(names, min_size=1, max_size=3).map(" ".join),
    servicer_ref=st.from_regex(r"[A-Z0-9]{1,20}", fullmatch=True),
    unstructured=st.text(alphabet=st.characters(categories=("L", "N", "P")), max_size=40).map(str.strip),
)


@settings(max_examples=60, deadline=None)
@given(
    entries=st.lists(st.lists(transactions, min_size=1, max_size=4), min_size=1, max_size=5),
    version=st.sampled_from(["001.04", "001.08"]),
    kind=st.sampled_from(["053", "054"]),
)
def test_every_transaction_comes_back_as_written(entries, version, kind):
    written = CamtFile(
        account="CH5730000123456789012",
        entries=[Entry(list(batch)) for batch in entries],
        kind=kind,
        version=version,
    )
    document = camt.parse(build(written))
    assert (document.kind, document.version) == (f"camt.{kind}", version)
    read = [tx for entry in document.entries for tx in entry.transactions]
    expected = [tx for batch in entries for tx in batch]
    assert [(tx.amount, tx.reference, tx.debtor_name, tx.account_servicer_ref, tx.unstructured) for tx in read] == [
        (tx.amount, tx.reference, tx.debtor.strip(), tx.servicer_ref, tx.unstructured) for tx in expected
    ]
    assert [entry.amount for entry in document.entries] == [sum(tx.amount for tx in batch) for batch in entries]


@given(words=st.lists(names, min_size=1, max_size=4), data=st.data())
def test_a_name_matches_itself_in_any_order_and_case(words, data):
    shuffled = data.draw(st.permutations(words))
    assert names_match(" ".join(words), "  ".join(shuffled).upper())
