"""The pure parts of earnings: IBAN checks, payout asks and decisions, the bank file."""

from __future__ import annotations

import csv
import io

import pytest

from common.errors import Invalid
from earnings.export import bank_transfer_csv
from earnings.models import BankDetails, Decision, Payout, PayoutAsk, iban_checks_out


@pytest.mark.parametrize("iban, good", [
    ("FR7630006000011234567890189", True),
    ("DE89370400440532013000", True),
    ("GB82WEST12345698765432", True),
    ("FR7630006000011234567890188", False),  # one digit off
    ("FR76", False),
    ("1234567890123456", False),
])
def test_iban_check_digits(iban: str, good: bool) -> None:
    assert iban_checks_out(iban) is good


def test_bank_details_are_cleaned_and_masked() -> None:
    details = BankDetails.parse({"holder": " Marie Curie ", "iban": "gb82 west 1234 5698 7654 32",
                                 "bic": "nwbk gb 2l"})
    assert details == BankDetails("Marie Curie", "GB82WEST12345698765432", "NWBKGB2L")
    assert details.public() == {"holder": "Marie Curie", "iban": "GB82 •••• 5432",
                                "bic": "NWBKGB2L"}
    for body, field in (({"holder": "", "iban": "GB82WEST12345698765432"}, "holder"),
                        ({"holder": "M", "iban": "GB00WEST12345698765432"}, "iban"),
                        ({"holder": "M", "iban": "GB82WEST12345698765432", "bic": "X"}, "bic")):
        with pytest.raises(Invalid) as raised:
            BankDetails.parse(body)
        assert raised.value.field == field


def test_asks_and_decisions() -> None:
    assert PayoutAsk.parse({}) == PayoutAsk(None)
    assert PayoutAsk.parse({"amount_cents": 2500}) == PayoutAsk(2500)
    with pytest.raises(Invalid):
        PayoutAsk.parse({"amount_cents": 0})
    assert Decision.parse("approve", {}) == Decision("approve")
    assert Decision.parse("pay", {"reference": " VIR-1 "}) == Decision("pay", "VIR-1")
    for action, body in (("pay", {}), ("pay", {"reference": ""}), ("refund", {})):
        with pytest.raises(Invalid):
            Decision.parse(action, body)


def test_the_bank_file_quotes_formulas_away() -> None:
    payout = Payout.from_hash({
        "id": "po_1", "expert_id": "a_1", "amount_cents": "100005", "currency": "EUR",
        "state": "approved", "requested_at": "0", "holder": "=HYPERLINK(\"x\")",
        "iban": "FR7630006000011234567890189", "bic": ""})
    text = bank_transfer_csv([payout])
    assert text.endswith("\r\n")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["beneficiary_name"] == "'=HYPERLINK(\"x\")"
    assert row["amount"] == "1000.05" and row["currency"] == "EUR"
