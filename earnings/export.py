"""The bank-transfer file an admin downloads: one line per approved payout.

Plain CSV (RFC 4180, UTF-8, comma-separated, a header line), which banks' bulk-transfer
imports and spreadsheets read: beneficiary, IBAN, BIC, amount as a decimal with a dot,
currency, and the remittance text the expert will see. A cell that a spreadsheet would
run as a formula (starting with ``= + - @`` or a tab) is quoted with a leading ``'``.
"""

from __future__ import annotations

import csv
import io

from earnings.models import Payout

HEADER = ("payout_id", "beneficiary_name", "iban", "bic", "amount", "currency",
          "remittance_information")


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def amount_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def bank_transfer_csv(payouts: list[Payout]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for payout in payouts:
        writer.writerow([_cell(text) for text in (
            payout.id, payout.holder, payout.iban, payout.bic, amount_text(payout.amount_cents),
            payout.currency, f"helpcall payout {payout.id}")])
    return out.getvalue()
