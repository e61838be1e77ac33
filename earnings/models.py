"""What the earnings edges read and answer: bank details, payout requests and decisions,
payouts. Self-validating dataclasses; no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from common import validation as v
from common.errors import Invalid
from common.schema import Body, Integer, Text
from common.timefmt import iso_ms

_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
MAX_PAYOUT_CENTS = 100_000_000
MAX_REFERENCE_CHARS = 100


def iban_checks_out(iban: str) -> bool:
    """ISO 13616: the country and check digits moved to the end, letters as 10..35,
    and the whole number modulo 97 is 1."""
    if not _IBAN.match(iban):
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def masked(iban: str) -> str:
    """``FR76 •••• 0189``: enough to recognise one's own account, not to use it."""
    return f"{iban[:4]} •••• {iban[-4:]}"


@dataclass(frozen=True)
class BankDetails:
    holder: str
    iban: str
    bic: str

    WIRE: ClassVar[Body] = Body(
        Text("holder", min_len=1, max_len=70),
        Text("iban", min_len=1, max_len=50, sample="FR7630006000011234567890189"),
        Text("bic", required=False, max_len=20, sample="AGRIFRPP"),
    )

    @classmethod
    def parse(cls, payload: object) -> BankDetails:
        body = v.require_object(payload)
        holder = v.text(body, "holder", min_len=1, max_len=70)
        iban = re.sub(r"\s+", "", v.text(body, "iban", min_len=1, max_len=50)).upper()
        if not iban_checks_out(iban):
            raise Invalid("iban is not a valid IBAN (check the digits)", "iban")
        bic = (v.optional_text(body, "bic", max_len=20) or "").replace(" ", "").upper()
        if bic and not _BIC.match(bic):
            raise Invalid("bic must be 8 or 11 letters and digits", "bic")
        return cls(holder, iban, bic)

    def public(self) -> dict[str, Any]:
        return {"holder": self.holder, "iban": masked(self.iban), "bic": self.bic or None}


@dataclass(frozen=True)
class PayoutAsk:
    """``POST /payouts {amount_cents?}``: an amount, or everything available."""

    amount_cents: int | None

    WIRE: ClassVar[Body] = Body(Integer("amount_cents", required=False, minimum=1,
                                        maximum=MAX_PAYOUT_CENTS,
                                        description="absent: everything available"))

    @classmethod
    def parse(cls, payload: object) -> PayoutAsk:
        body = v.require_object(payload)
        return cls(v.optional_integer(body, "amount_cents", minimum=1,
                                      maximum=MAX_PAYOUT_CENTS))


@dataclass(frozen=True)
class Decision:
    """An admin's step on a payout: ``approve``, ``pay`` (with the transfer's reference)
    or ``reject``."""

    action: str
    reference: str = ""

    @classmethod
    def parse(cls, action: str, payload: object) -> Decision:
        if action not in ("approve", "pay", "reject"):
            raise Invalid("the action must be approve, pay or reject", "action")
        if action != "pay":
            return cls(action)
        body = v.require_object(payload)
        return cls(action, v.text(body, "reference", min_len=1, max_len=MAX_REFERENCE_CHARS))


def _iso(value: str | None) -> str | None:
    return iso_ms(int(value)) if value else None


@dataclass(frozen=True)
class Payout:
    id: str
    expert_id: str
    amount_cents: int
    currency: str
    state: str
    requested_at_ms: int
    holder: str
    iban: str
    bic: str
    fields: dict[str, str]

    @classmethod
    def from_hash(cls, fields: dict[str, str]) -> Payout:
        return cls(fields["id"], fields["expert_id"], int(fields["amount_cents"]),
                   fields["currency"], fields["state"], int(fields["requested_at"]),
                   fields.get("holder", ""), fields.get("iban", ""), fields.get("bic", ""),
                   fields)

    def public(self, for_admin: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "expert_id": self.expert_id,
            "amount_cents": self.amount_cents,
            "currency": self.currency,
            "state": self.state,
            "requested_at": iso_ms(self.requested_at_ms),
            "approved_at": _iso(self.fields.get("approved_at")),
            "paid_at": _iso(self.fields.get("paid_at")),
            "rejected_at": _iso(self.fields.get("rejected_at")),
            "reference": self.fields.get("reference") or None,
            "bank": {"holder": self.holder, "iban": self.iban if for_admin else masked(self.iban),
                     "bic": self.bic or None},
        }
        return body


def month_of(iso: str) -> str:
    """``2026-12`` from an ISO 8601 time (UTC months)."""
    return iso[:7]
