"""Erasing an account (``DELETE /api/v1/me``): personal data gone, money records kept.

What stays is pseudonymous: the account id (random, naming no one once the account hash
and its email are gone) in wallets, ledgers, earnings, payouts, sessions' billing fields
and the billing stream, as accounting law asks. What goes: the account and its email,
the expert profile and photo, the files the person sent, their chat messages (the other
side's stay, marked where the person's were), the topics they wrote, the names copied
into bookings and reviews, their reviews' text, notes by them and about them, bank
details, favourites, notifications, calendar feed, queued mail to or about them, throttle
counters named by their email, blocks by or against them, the text of reports and
disputes they wrote or that are about them (trust/personal.py), and their places as a
brand's admin or expert (brands/personal.py).

The sequence is recorded first (``hc:erasing`` names the account, with the email and name
it must scrub) and every step is idempotent, so a crash half-way is finished by the
retention job (``resume``); the record goes last.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import redis.asyncio as aioredis

from accounts.links import link_counter_key
from accounts.models import Account
from accounts.passwords import verify_password
from accounts.store import AccountStore
from appointments import keys as booking_keys
from appointments.feeds import account_token_key, token_key
from appointments.keys import seen_key
from blobs.store import BlobKey, BlobMissing, BlobStore
from brands.personal import BrandRecords
from common.errors import Invalid
from common.keyspace import ip_prefix
from common.lua import Lua
from common.redisvalues import text_map, text_or_none
from earnings import keys as earning_keys
from marketplace import keys as market_keys
from marketplace.categories import CATEGORIES
from privacy.errors import NotYet
from privacy.notes import NoteStore
from privacy.records import Record, chat_key, records_of
from sessions.filestore import Expired, index_key, rate_key, usage_key
from sessions.keys import session_key
from sessions.sharing import FileSharing
from sessions.states import State
from sessions.wallet import wallet_key
from trust.personal import TrustRecords

log = logging.getLogger(__name__)
PENDING = "hc:{0}:erasing"  # hash account id -> JSON {email, name} while an erasure runs
ERASED = "hc:{0}:accounts:erased"  # zset account id -> ms: ids that now name no one
MAIL_STREAM = "hc:{0}:mail"


def throttle_patterns(email: str) -> tuple[str, ...]:
    """Counters named by the email (accounts/links.py, accounts/throttle.py), as SCAN
    patterns: they expire within the hour anyway, but an erasure leaves none."""
    return (link_counter_key("*", email), ip_prefix("*") + f"login:{email}")


@dataclass(frozen=True)
class Rules:
    card_payments: bool  # with real money, unused credit must be refunded first


class Eraser:
    def __init__(self, redis: aioredis.Redis, accounts: AccountStore, files: FileSharing,
                 blobs: BlobStore, notes: NoteStore, trust: TrustRecords,
                 brands: BrandRecords, rules: Rules) -> None:
        self.redis = redis
        self.accounts = accounts
        self.files = files
        self.blobs = blobs
        self.notes = notes
        self.trust = trust
        self.brands = brands
        self.rules = rules
        self._scrub = Lua(redis, "privacy/lua/notifications_scrub.lua")

    async def erase(self, account: Account, password: str) -> None:
        """Check the password and what must be settled, then erase (idempotent steps)."""
        if not await verify_password(password, await self.accounts.password_hash(account.id)):
            raise Invalid("password is wrong", "password")
        records = await records_of(self.redis, account.id)
        await self._check_settled(account, records)
        await self.redis.hset(PENDING, account.id, json.dumps(
            {"email": account.email, "name": account.display_name}))
        # Every token and socket of the account ends now (the scripts publish it).
        await self.accounts.set_password(account.id, "!erased")
        await self._erase(account.id, account.email, account.display_name, records)
        log.info("account %s erased", account.id)

    async def resume(self) -> int:
        """Finish erasures a crash interrupted (the retention job calls this)."""
        done = 0
        for account_id, raw in text_map(await self.redis.hgetall(PENDING)).items():
            facts = json.loads(raw)
            await self._erase(account_id, facts["email"], facts["name"],
                              await records_of(self.redis, account_id))
            done += 1
        return done

    async def _check_settled(self, account: Account, records: list[Record]) -> None:
        if any(r.view.state != State.ENDED for r in records):
            raise NotYet("in_call", "a call of yours is not over yet; end it first")
        booked = await self.redis.zrangebyscore(booking_keys.index_key(account.id),
                                                "-inf", "+inf")
        for booking_id in booked:
            state = await self.redis.hget(booking_keys.booking_key(str(text_or_none(
                booking_id))), "state")
            if text_or_none(state) == "booked":
                raise NotYet("bookings_open",
                             "you have appointments still booked; cancel them first")
        earnings = text_map(await self.redis.hgetall(earning_keys.account(account.id)))
        owed = int(earnings.get("available") or 0) + int(earnings.get("pending") or 0)
        if owed > 0:
            raise NotYet("balance_remaining",
                         f"{owed} cents of your earnings are not paid out yet; ask for a "
                         "payout and wait until it is paid before deleting the account")
        if self.rules.card_payments:
            balance = int(text_or_none(await self.redis.hget(wallet_key(account.id),
                                                             "balance")) or 0)
            if balance > 0:
                raise NotYet("credit_remaining",
                             f"{balance} cents of credit are left in your wallet; refund "
                             "them to your card before deleting the account")

    async def _erase(self, account_id: str, email: str, name: str,
                     records: list[Record]) -> None:
        await self._files(account_id)
        for record in records:
            await self._redact_session(account_id, record)
        await self._reviews(account_id, records)
        await self._expert(account_id)
        await self._bookings(account_id)
        await self.notes.erase_all_of(account_id)
        await self.trust.forget(account_id, [r.view.id for r in records])
        await self.brands.forget(account_id)
        await self._small_keys(account_id)
        await self._mail(email, name)
        for pattern in throttle_patterns(_glob(email)):
            async for key in self.redis.scan_iter(match=pattern):
                await self.redis.delete(key)
        await self.accounts.forget(account_id, email)
        seconds, _ = await self.redis.time()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(ERASED, {account_id: int(seconds) * 1000})
            pipe.hdel(PENDING, account_id)
            await pipe.execute()

    async def _files(self, account_id: str) -> None:
        for member in await self.redis.zrange(index_key(account_id), 0, -1):
            session_id, _, file_id = str(text_or_none(member)).partition("|")
            await self.files.remove(Expired(account_id, session_id, file_id))
        await self.redis.delete(index_key(account_id), usage_key(account_id),
                                rate_key(account_id))

    async def _redact_session(self, account_id: str, record: Record) -> None:
        """The person's messages leave the transcript; the other side's stay."""
        kept: list[str] = []
        changed = False
        for message in record.chat:
            if message.get("from") == account_id and not message.get("erased"):
                message = {"message_id": message.get("message_id"), "from": account_id,
                           "at": message.get("at"), "text": "", "erased": True}
                changed = True
            kept.append(json.dumps(message, ensure_ascii=False))
        session = record.view.id
        async with self.redis.pipeline(transaction=True) as pipe:
            if changed:
                pipe.delete(chat_key(session))
                pipe.rpush(chat_key(session), *kept)
            if record.view.client_id == account_id and record.view.topic:
                pipe.hset(session_key(session), "topic", "")
            await pipe.execute()

    async def _reviews(self, account_id: str, records: list[Record]) -> None:
        for record in records:
            if record.view.client_id != account_id:
                continue
            review_id = text_or_none(await self.redis.get(
                market_keys.session_review(record.view.id)))
            if review_id:
                # The rating stays (the expert's average counts it); who and what go.
                await self.redis.hset(market_keys.review(review_id),
                                      mapping={"client_name": "", "text": ""})

    async def _expert(self, account_id: str) -> None:
        for review_id in await self.redis.zrange(market_keys.expert_reviews(account_id), 0, -1):
            fields = text_map(await self.redis.hgetall(market_keys.review(str(review_id))))
            await self.redis.delete(market_keys.review(str(review_id)),
                                    market_keys.session_review(fields.get("session_id", "-")))
        for request_id in await self.redis.zrange(
                market_keys.expert_verifications(account_id), 0, -1):
            await self.redis.hset(market_keys.verification(str(text_or_none(request_id))),
                                  mapping={"display_name": "", "evidence": ""})
        try:
            await self.blobs.delete(BlobKey(account_id, "photo.jpg"))
        except BlobMissing:
            pass
        # Not one transaction: the profile is in the expert's slot, the rest elsewhere.
        # Every command here is idempotent, and erasing again finishes what a stop left.
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.delete(market_keys.expert(account_id), market_keys.photo(account_id),
                        market_keys.counted(account_id))
            pipe.delete(market_keys.expert_reviews(account_id),
                        earning_keys.bank(account_id),
                        booking_keys.availability_key(account_id))
            for index in (market_keys.ALL_EXPERTS,
                          *(market_keys.category(c.slug) for c in CATEGORIES)):
                pipe.srem(index, account_id)
                pipe.hdel(market_keys.versions(index), account_id)
            await pipe.execute()

    async def _bookings(self, account_id: str) -> None:
        for booking_id in await self.redis.zrange(booking_keys.index_key(account_id), 0, -1):
            key = booking_keys.booking_key(str(text_or_none(booking_id)))
            fields = text_map(await self.redis.hgetall(key))
            if not fields:
                continue
            side = "client" if fields.get("client_id") == account_id else "expert"
            wipe = [f"{side}_name", ""] + (["topic", ""] if side == "client" else [])
            await self.redis.hset(key, items=wipe)
            other = fields.get("expert_id" if side == "client" else "client_id")
            if other:
                await self._scrub(
                    keys={"notifications": booking_keys.notifications_key(other)},
                    args={"booking": fields.get("id", ""), "name_field": f"{side}_name",
                          "topic": "1" if side == "client" else "0"})

    async def _small_keys(self, account_id: str) -> None:
        feed = text_or_none(await self.redis.get(account_token_key(account_id)))
        await self.redis.delete(
            market_keys.favourites(account_id), booking_keys.notifications_key(account_id),
            seen_key(account_id), account_token_key(account_id),
            *([token_key(feed)] if feed else []))

    async def _mail(self, email: str, name: str) -> None:
        """Queued mail to the person, or naming them, is dropped (it was never sent)."""
        needles = [n.encode() for n in (email, name) if n]
        start = "-"
        while True:
            entries = await self.redis.xrange(MAIL_STREAM, min=start, count=200)
            if not entries:
                return
            for entry_id, fields in entries:
                values = b" ".join(v if isinstance(v, bytes) else str(v).encode()
                                   for v in (fields or {}).values())
                if any(n in values for n in needles):
                    await self.redis.xdel(MAIL_STREAM, str(text_or_none(entry_id)))
            start = "(" + str(text_or_none(entries[-1][0]))


def _glob(text: str) -> str:
    """``text`` matched literally in a SCAN pattern."""
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)
