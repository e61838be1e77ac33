"""Wallets: a balance, the part of it held by calls in progress, and a ledger.

A wallet lives in its owner's slot (an account's, or a brand's: ``{a:<owner>}``,
common/keyspace.py), and every key of it shares that slot:
``hc:{a:<owner>}:wallet`` holds ``balance`` and ``held`` (integer cents);
``hc:{a:<owner>}:ledger`` is a stream with one entry per movement: ``topup``,
``hold``, ``release``, ``charge``, ``refund`` (to a card), ``dispute_refund`` (a disputed
call given back, docs/trust.md); ``:holds`` and ``:holds:settled`` are the holds of calls
and bookings; card top-ups and refunds are beside them (payments/store.py). A hold, its
settlement and a dispute's refund are steps in the wallet's own keys (``sessions/holds.py``);
each checks what the wallet has left, so a call can never spend money that another holds,
and the balance never goes below zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import redis.asyncio as aioredis

from common.keyspace import account_prefix
from common.lua import Lua
from common.redisvalues import text_map
from common.schema import Body, Integer

MAX_TOPUP_CENTS = 100_000_00


def wallet_prefix(owner_id: str) -> str:
    """The prefix of every key of a wallet: its owner's slot."""
    return account_prefix(owner_id)


def owner_of(key: str) -> str:
    """The owner of a wallet's key (whichever key of it)."""
    return key[len(wallet_prefix("")) - 2:].partition("}")[0]


def wallet_key(owner_id: str) -> str:
    return wallet_prefix(owner_id) + "wallet"


def ledger_key(owner_id: str) -> str:
    return wallet_prefix(owner_id) + "ledger"


def holds_key(owner_id: str) -> str:
    """The holds in the wallet: ``<session or booking>|<nonce>`` -> cents (holds.py)."""
    return wallet_prefix(owner_id) + "holds"


def settled_key(owner_id: str) -> str:
    """The holds settled (and refunds credited) lately, zset by when: never again."""
    return wallet_prefix(owner_id) + "holds:settled"


@dataclass(frozen=True)
class TopUp:
    amount_cents: int

    WIRE: ClassVar[Body] = Body(Integer("amount_cents", minimum=1, maximum=MAX_TOPUP_CENTS))

    @classmethod
    def parse(cls, payload: object) -> TopUp:
        return cls(cls.WIRE.read(payload)["amount_cents"])


@dataclass(frozen=True)
class Wallet:
    balance_cents: int
    held_cents: int
    currency: str

    @property
    def available_cents(self) -> int:
        return self.balance_cents - self.held_cents

    def public(self) -> dict[str, Any]:
        return {
            "balance_cents": self.balance_cents,
            "held_cents": self.held_cents,
            "available_cents": self.available_cents,
            "currency": self.currency,
        }


class WalletStore:
    def __init__(self, redis: aioredis.Redis, currency: str) -> None:
        self._redis = redis
        self.currency = currency
        self._topup = Lua(redis, "sessions/lua/topup.lua")

    async def top_up(self, account_id: str, amount_cents: int) -> int:
        balance = await self._topup(
            keys={"wallet": wallet_key(account_id), "ledger": ledger_key(account_id)},
            args={"amount": amount_cents}
        )
        return int(balance)

    async def get(self, account_id: str) -> Wallet:
        fields = text_map(await self._redis.hgetall(wallet_key(account_id)))
        return Wallet(int(fields.get("balance", 0)), int(fields.get("held", 0)), self.currency)

    async def ledger(self, account_id: str, count: int = 100) -> list[dict[str, Any]]:
        entries = await self._redis.xrevrange(ledger_key(account_id), count=count)
        movements = []
        for _, raw in entries or []:
            fields = text_map(raw or {})
            movements.append({
                "at": fields["at"],
                "kind": fields["kind"],
                "amount_cents": int(fields["amount_cents"]),
                "balance_cents": int(fields["balance_cents"]),
                "session_id": fields["session_id"] or None,
                "booking_id": fields.get("booking_id") or None,
            })
        return movements
