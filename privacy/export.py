"""``GET /api/v1/me/export``: everything an account owns, in one zip.

``account.json``, ``profile.json`` (experts), ``sessions.json`` (each with its chat and
timeline), ``reviews.json`` (written, or received by an expert), ``bookings.json``,
``wallet.json`` (the wallet and its whole ledger), ``earnings.json`` (experts: balances,
ledger, payouts; the bank details are masked), ``notes_about_me.json`` (with the text: a
right of access), ``notes_by_me.json`` (experts), ``favourites.json``,
``notifications.json``, ``trust.json`` (whom the person blocked, the reports they filed,
the disputes of their calls), ``brands.json`` (the brands they run or take calls for), and
``documents/``: every file of the vault, byte for byte, with
the transcripts, receipts and invites.
"""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as aioredis

from accounts.models import Account
from appointments.keys import notifications_key
from brands.personal import BrandRecords
from common.redisvalues import text_map, text_or_none
from common.timefmt import iso_ms
from earnings import keys as earning_keys
from marketplace import keys as market_keys
from privacy.notes import NoteStore
from privacy.service import Vault
from privacy.vault import VaultQuery
from privacy.zipstream import ZipStream
from sessions.wallet import ledger_key, wallet_key
from trust.personal import TrustRecords


async def _stream(redis: aioredis.Redis, key: str) -> list[dict[str, Any]]:
    return [{"id": str(text_or_none(entry_id)), **text_map(fields or {})}
            for entry_id, fields in await redis.xrange(key) or []]


class Exporter:
    def __init__(self, redis: aioredis.Redis, vault: Vault, notes: NoteStore,
                 trust: TrustRecords, brands: BrandRecords) -> None:
        self.redis = redis
        self.vault = vault
        self.notes = notes
        self.trust = trust
        self.brands = brands

    async def write(self, account: Account, out: ZipStream) -> None:
        me = account.id
        redis = self.redis
        records = await self.vault.records(me)
        bookings = await self.vault.bookings_of(me)
        await out.add_json("account.json", account.public())
        profile = text_map(await redis.hgetall(market_keys.expert(me)))
        if profile:
            await out.add_json("profile.json", {
                **json.loads(profile.get("profile") or "{}"),
                "display_name": profile.get("display_name", "")})
        await out.add_json("sessions.json", [
            {**r.view.public(0), "role": r.view.role_of(me), "chat": r.chat,
             "timeline": r.timeline} for r in records])
        await out.add_json("reviews.json", await self._reviews(me, records))
        await out.add_json("bookings.json", [b.public() for b in bookings])
        await out.add_json("wallet.json", {
            "wallet": text_map(await redis.hgetall(wallet_key(me))),
            "ledger": await _stream(redis, ledger_key(me))})
        earnings = text_map(await redis.hgetall(earning_keys.account(me)))
        if earnings:
            payouts = await redis.zrange(earning_keys.expert_payouts(me), 0, -1)
            bank = text_map(await redis.hgetall(earning_keys.bank(me)))
            await out.add_json("earnings.json", {
                "balances": earnings, "ledger": await _stream(redis, earning_keys.ledger(me)),
                "payouts": [text_map(await redis.hgetall(earning_keys.payout(str(p))))
                            for p in payouts],
                "bank": {"holder": bank.get("holder", ""),
                         "iban_ends": bank.get("iban", "")[-4:]} if bank else None})
        await self._notes(me, out)
        await out.add_json("favourites.json", [
            str(text_or_none(m)) for m in await redis.zrange(market_keys.favourites(me), 0, -1)])
        await out.add_json("notifications.json", [
            json.loads(str(text_or_none(n)))
            for n in await redis.lrange(notifications_key(me), 0, -1)])
        await out.add_json("trust.json", await self.trust.of(me, [r.view.id for r in records]))
        await out.add_json("brands.json", await self.brands.of(me))
        await self.vault.write_documents(me, VaultQuery(), out, folder="documents/")

    async def _reviews(self, me: str, records: list[Any]) -> dict[str, Any]:
        written = []
        for record in records:
            if record.view.client_id == me:
                review_id = text_or_none(await self.redis.get(
                    market_keys.session_review(record.view.id)))
                if review_id:
                    written.append(text_map(await self.redis.hgetall(
                        market_keys.review(review_id))))
        received = [text_map(await self.redis.hgetall(market_keys.review(str(r))))
                    for r in await self.redis.zrange(market_keys.expert_reviews(me), 0, -1)]
        return {"written": written, "received": received}

    async def _notes(self, me: str, out: ZipStream) -> None:
        about = await self.notes.about(me)
        names = await self.vault.accounts.display_names([e for e, _ in about])
        await out.add_json("notes_about_me.json", [
            {"expert": {"id": n.expert_id, "display_name": names.get(n.expert_id, "")},
             "text": n.text, "updated_at": iso_ms(n.updated_at_ms)}
            for n in await self.notes.texts_about(me)])
        mine = [await self.notes.get(me, client) for client in await self.notes.by(me)]
        if mine:
            await out.add_json("notes_by_me.json", [n.public() for n in mine])
