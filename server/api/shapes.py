"""Answer shapes shared by several handlers (JSON Schema, for ``openapi.json``).

Each mirrors a ``public()`` of the domain; the test suite checks every real answer against
them, so a field added there and forgotten here (or renamed) fails a test. A shape used by one
handler only sits next to that handler.
"""

from __future__ import annotations

from common.schema import Schema
from earnings.keys import STATES as PAYOUT_STATES
from server.apidoc import (
    BOOLEAN,
    CENTS,
    ID,
    INTEGER,
    NUMBER,
    STRING,
    TIME,
    array,
    enum,
    nullable,
    obj,
)
from sessions.pricing import PricingMode
from sessions.states import State

PRICING = obj(mode=enum(*PricingMode), amount_cents=CENTS)
PERSON = obj(id=ID, display_name=STRING)
PAGE = {"page": INTEGER, "per_page": INTEGER, "total": INTEGER}

ACCOUNT = obj(id=ID, email=STRING, display_name=STRING, role=enum("client", "expert", "admin"),
              created_at=TIME, language=enum("en", "fr"), email_verified=BOOLEAN,
              mail_preferences=obj(reminders=BOOLEAN, notices=BOOLEAN))

SESSION = obj(
    id=ID, state=enum(*State), end_reason=nullable(STRING), client_id=ID,
    expert_id=nullable(ID), brand_id=nullable(ID), topic=STRING, category=nullable(STRING),
    booking_id=nullable(ID), pricing=PRICING, live_seconds=INTEGER, billed_seconds=INTEGER,
    amount_cents=CENTS, currency=STRING, created_at=nullable(TIME),
    accepted_at=nullable(TIME), live_started_at=nullable(TIME), ended_at=nullable(TIME),
)
SESSIONS = obj(sessions=array(SESSION))

WALLET = obj(balance_cents=CENTS, held_cents=CENTS, available_cents=CENTS, currency=STRING)
LEDGER_ENTRY = obj(at=STRING, kind=STRING, amount_cents=CENTS, balance_cents=CENTS,
                   session_id=nullable(ID))
BALANCE = obj(balance_cents=CENTS)

EXPERT_CARD = obj(
    "time_zone", "photo_url",
    id=ID, display_name=STRING, headline=STRING, bio=STRING, categories=array(STRING),
    languages=array(STRING), pricing=PRICING, time_zone=nullable(STRING),
    photo_url=nullable(STRING), status=enum("online", "busy", "offline"),
    rating=nullable(NUMBER), reviews=INTEGER,
)
OWN_PROFILE: Schema = {**EXPERT_CARD, "properties": {
    **EXPERT_CARD["properties"], "unverified_categories": array(STRING)},
    "required": [*EXPERT_CARD["required"], "unverified_categories"]}

REVIEW = obj(
    id=ID, session_id=ID, expert_id=ID, client=obj(display_name=STRING),
    rating={"type": "integer", "minimum": 1, "maximum": 5}, text=STRING, created_at=TIME,
    reply=nullable(obj(text=STRING, created_at=TIME)), hidden=BOOLEAN,
)
VERIFICATION = obj(
    id=ID, expert=PERSON, category=STRING, evidence=STRING,
    state=enum("pending", "approved", "rejected"), created_at=TIME,
    decided_by=nullable(STRING), decided_at=nullable(TIME), note=nullable(STRING),
)

BOOKING = obj(
    id=ID, state=STRING, client=PERSON, expert=PERSON, topic=STRING, start=TIME, end=TIME,
    length_minutes=INTEGER, expert_time_zone=STRING, pricing=PRICING, held_cents=CENTS,
    currency=STRING, cancel_free_until=TIME, created_at=TIME,
    joined=obj(client=nullable(TIME), expert=nullable(TIME)),
    reschedule=nullable(obj(start=TIME, end=TIME, proposed_by=STRING)),
    cancelled_by=nullable(STRING), no_show_by=nullable(STRING), closed_at=nullable(TIME),
    amount_cents=nullable(CENTS), platform_fee_cents=nullable(CENTS),
    expert_payout_cents=nullable(CENTS), join_path=STRING,
)

BRAND_PUBLIC = obj(id=ID, slug=STRING, name=STRING, logo_url=nullable(STRING),
                   primary_colour=STRING, accent_colour=STRING, welcome=STRING,
                   sponsored=BOOLEAN)
BRAND = obj(**BRAND_PUBLIC["properties"], fee_percent=nullable(INTEGER),
            webhook_url=nullable(STRING), created_at=TIME)
BRAND_WITH_ADMINS = obj(**BRAND["properties"], admins=array(ID))

# A file shared in a call is posted in its chat: the answer is that chat message.
SHARED_FILE = obj(session_id=ID, message_id=STRING, text=STRING, at=TIME, **{
    "from": ID, "file": obj(file_id=ID, name=STRING, size=INTEGER, url=STRING)})

# A card top-up (HELPCALL_PAYMENTS=stripe); when started, with what Stripe.js needs.
CARD_TOPUP = obj("error", topup_id=ID, status=enum("pending", "succeeded", "failed"),
                 amount_cents=CENTS, error=STRING)
STARTED_TOPUP = obj("error", **CARD_TOPUP["properties"], client_secret=STRING,
                    publishable_key=STRING)
# POST .../topups: credited at once in test mode, a pending card payment with stripe.
TOPUP_ANSWER: Schema = {"anyOf": [BALANCE, STARTED_TOPUP]}

# A payout request (earnings.models.Payout.public): the bank's IBAN is masked except for admins.
PAYOUT = obj(id=ID, expert_id=ID, amount_cents=CENTS, currency=STRING,
             state=enum(*PAYOUT_STATES), requested_at=TIME,
             approved_at=nullable(TIME), paid_at=nullable(TIME), rejected_at=nullable(TIME),
             reference=nullable(STRING),
             bank=obj(holder=STRING, iban=STRING, bic=nullable(STRING)))
