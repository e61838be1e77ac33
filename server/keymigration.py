"""Keys written under an earlier layout, moved to the current one once, at start.

Layout 1 (docs/cluster.md): every key starts with the hash tag ``{0}``. A single Redis that
served a version before it holds ``hc:<rest>``: each is renamed ``hc:{0}:<rest>``
(``RENAMENX``: a key renamed meanwhile by another starting process is left alone).

Layout 2: an account's hash and its email's claim leave the home slot for their own
(common/keyspace.py): ``hc:{0}:acct:<id>`` becomes ``hc:{a:<id>}:acct`` and
``hc:{0}:acct:email:<email>`` the claim ``hc:{m:<email>}:email``. On a Cluster the two names
are in different slots, where ``RENAME`` is refused: each key is copied (``DUMP`` and
``RESTORE`` with its time to live) and then deleted. A process stopped between the two
leaves both: the next start finds the new one there and deletes the old.

Layout 3: the expert's busy flag leaves it too (sessions/busy.py): ``hc:{0}:busy:<id>``
becomes ``hc:{a:<id>}:busy``, copied the same way.

Layout 4: the money a call or a booking holds is recorded in the payer's wallet, under a
nonce the session (or booking) names (sessions/holds.py). One in progress across the
upgrade held it the earlier way: its hold is recorded as ``<id>|legacy`` (the wallet's
``held`` already counts it), then the session or booking names it, in that order, so that
a stop in between is finished by the next start.

Layout 5: wallets leave the home slot for their owner's (sessions/wallet.py), now that no
script changes a wallet with anything else: ``hc:{0}:{w:<owner>}`` becomes
``hc:{a:<owner>}:wallet``, and each key beside it (``:ledger``, ``:holds``, card top-ups and
refunds) ``hc:{a:<owner>}:<rest>``, copied the same way. The holds of layout 4 are recorded
after the move, under the new names.

Layout 6: the indexes that list sessions leave it too (sessions/listing.py):
``hc:{0}:sessions:<account>`` becomes ``hc:{a:<account>}:sessions``,
``hc:{0}:brand:<id>:sessions`` ``hc:{br:<id>}:sessions``, and each process's sockets
``hc:{0}:proc:<p>:socks`` ``hc:{p:<p>}:socks``; and the category queues
(sessions/queueing.py): ``hc:{0}:queue:<category>`` becomes ``hc:{q:<category>}:queue``,
``hc:{0}:queues`` and ``hc:{0}:lastrung`` ``hc:{g:queues}`` and ``hc:{g:lastrung}``; all
copied the same way.

Layout 7: sessions leave it for their bucket's slot (common/keyspace.py):
``hc:{0}:{s:<id>}`` and the keys beside it (``:socks``, ``:chat``, ``:rung``,
``:timeline``) become ``hc:{<n>}:{s:<id>}...``, ``n`` the session's bucket (bucket 0's
stay); a shared file's record ``hc:{0}:{s:<id>}:file:<f>`` becomes
``hc:{0}:file:<id>:<f>`` (sessions/filestore.py); each deadline of a session in
``hc:{0}:deadlines`` moves to its bucket's (added there, then removed here: a stop in
between leaves it in both, and it fires once, its script claiming it in the bucket's).
The billing events already appended stay in the stream they are in: the workers read
every bucket's.

Layout 8: where an account's sockets are leaves it too (signaling/directory.py): the
counts per process and the watchers move to the account's slot, each process's list to its
own. They describe the sockets of processes that are all stopped by then (below), so the
old keys are deleted: ``hc:{0}:sockets:<account>``, ``hc:{0}:watchers:<account>`` and
``hc:{0}:proc:<p>:accounts``.

Layout 9: mailed links leave it for a slot each (accounts/links.py):
``hc:{0}:link:<purpose>:<digest>`` becomes ``hc:{l:<digest>}:link:<purpose>``, copied with
its time to live as above.

Layout 10: the mail queue's records of what was queued and what was sent (mail/outbox.py)
become two sorted sets instead of a key per message: ``hc:{0}:mail:queued:<key>`` joins
``hc:{0}:mail:queued`` and ``hc:{0}:mail:sent:<key>`` ``hc:{0}:mail:sent``, each scored
with when it was written (worked out from its time to live), then deleted. And presence
leaves it for each expert's slot (signaling/presence.py): each field of the hash
``hc:{0}:presence:want`` becomes ``hc:{a:<expert>}:presence:want`` (an expert online there
is listed in ``hc:{0}:presence:online`` first), then the field is deleted;
``hc:{0}:presence:unanswered:<expert>`` is copied to ``hc:{a:<expert>}:presence:unanswered``
as above; the socket lists ``hc:{0}:presence:socks:<expert>`` and
``hc:{0}:proc:<p>:experts`` describe stopped processes and are deleted, as in layout 8.
And an expert's profile leaves it for the expert's slot (marketplace/keys.py):
``hc:{0}:expert:<id>`` is copied to ``hc:{a:<id>}:expert`` without its rating sum and
count, which go to ``hc:{0}:experts:ratings`` first; ``hc:{0}:expert:<id>:photo`` to
``hc:{a:<id>}:expert:photo``; the set ``hc:{0}:expert:<id>:wants`` becomes a field of
``hc:{0}:experts:wants``. And blocks (trust/keys.py): ``hc:{0}:block:<a>|<b>`` is copied to
the pair's own slot, ``hc:{k:<a>|<b>}:block``, and ``hc:{0}:blocks:<account>`` to
``hc:{a:<account>}:blocks``.

Layout 11: bookings leave it (appointments/keys.py): ``hc:{0}:{b:<id>}`` becomes
``hc:{<n>}:{b:<id>}``, ``n`` the booking's bucket, and each deadline in
``hc:{0}:bookings:deadlines`` moves to its bucket's ``hc:{<n>}:bookings:deadlines``, as
sessions' did in layout 7. An expert's ``hc:{0}:bookings:active:<id>``,
``hc:{0}:bookings:reliability:<id>`` and ``hc:{0}:availability:<id>`` go to their slot
(``hc:{a:<id>}:bookings:active``, ``:bookings:reliability``, ``:availability``), and an
account's ``hc:{0}:bookings:of:<id>``, ``hc:{0}:notifications:<id>`` and its ``:seen`` to
``hc:{a:<id>}:bookings``, ``:notifications`` and ``:notifications:seen``, and the link
from a booking to its call ``hc:{0}:booking:<id>:session`` to ``hc:{<n>}:booking:<id>:session``,
all copied as above. And the calendar feed tokens (appointments/feeds.py):
``hc:{0}:calendar:token:<token>`` becomes ``hc:{f:<token>}:feed`` and
``hc:{0}:calendar:account:<id>`` ``hc:{a:<id>}:feed``. The slots already in a calendar
keep their names (``<id>|<end ms>``).

Layout 12: what a card shows of an expert leaves it for their slot (marketplace/keys.py):
the set ``hc:{0}:expert:<id>:verified`` becomes the field ``verified`` of
``hc:{a:<id>}:expert``; their rating (``hc:{0}:experts:ratings``) becomes the fields
``rating_sum`` and ``reviews`` there, counted anew from their reviews, each recorded in
``hc:{a:<id>}:expert:counted``. The indexes of experts leave it for a slot each:
``hc:{0}:experts:cat:<slug>`` becomes ``hc:{q:<slug>}:experts`` (beside the category's
queue) and ``hc:{0}:experts`` ``hc:{g:experts}``, copied as above; the versions they follow
start afresh with each expert's next save (``hc:{0}:experts:indexed`` is deleted, as are
``hc:{0}:experts:wants`` and ``hc:{0}:accounts:verified``, indexes nothing reads any more).

A marker says which layout is done. Stop every process of the earlier version first: one
still running would write old names.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis

from accounts.claims import claim_key
from accounts.links import link_key
from accounts.store import account_key
from appointments import feeds
from appointments import keys as booking_keys
from common.keyspace import (
    BUCKETS,
    HOME,
    account_prefix,
    brand_prefix,
    bucket_prefix,
    email_prefix,
    feed_prefix,
    global_key,
    ip_prefix,
    link_prefix,
    pair_prefix,
    process_prefix,
    queue_prefix,
)
from common.redisclient import is_cluster
from marketplace import keys as market_keys
from server.keyfolds import (
    copy_then_delete,
    fold_mail_records,
    fold_ratings,
    fold_verifications,
    forget_stopped_sockets,
    move_profiles,
    record_holds,
    spread_deadlines,
    spread_wants,
)
from sessions.filestore import file_key
from sessions.keys import (
    LAST_RUNG,
    QUEUES,
    booking_session_key,
    brand_sessions_key,
    busy_key,
    index_key,
    proc_sockets_key,
    queue_key,
    session_key,
)
from sessions.wallet import wallet_prefix
from signaling.presence import unanswered_key
from trust import keys as trust_keys

log = logging.getLogger(__name__)

OLD_PREFIX = "hc:"
DONE_KEY = HOME + "layout"
LAYOUT = "12"
# Names of the current layout that start like an old one: never renamed again (another
# process of this version may be writing them while this one starts).
_CURRENT = (HOME, global_key("")[:-1], *(prefix("")[:-2] for prefix in (
    account_prefix, email_prefix, ip_prefix, brand_prefix, process_prefix, queue_prefix,
    link_prefix, feed_prefix)), pair_prefix("", "")[:-3],
    *(bucket_prefix(n) for n in range(BUCKETS)))
_ACCOUNTS = HOME + "acct:"
_EMAILS = _ACCOUNTS + "email:"
_BUSY = HOME + "busy:"
_WALLETS = HOME + "{w:"
_INDEXES = HOME + "sessions:"
_BRANDS = HOME + "brand:"
_PROCS = HOME + "proc:"
_QUEUE = HOME + "queue:"
_SHARED = {HOME + "queues": QUEUES, HOME + "lastrung": LAST_RUNG,
           HOME + "experts": market_keys.ALL_EXPERTS}
_SESSIONS = HOME + "{s:"
_LINKS = HOME + "link:"
_UNANSWERED = HOME + "presence:unanswered:"
_PAIRS = HOME + "block:"
_BLOCKS = HOME + "blocks:"
_BESIDE_SESSION = ("", ":socks", ":chat", ":rung", ":timeline")
_BOOKINGS = HOME + "{b:"
_BOOKING_DEADLINES = HOME + "bookings:deadlines"
# Layout 11: the keys of one account or expert, by their old prefix.
_OWNED = {HOME + "bookings:active:": booking_keys.active_key,
          HOME + "bookings:reliability:": booking_keys.reliability_key,
          HOME + "bookings:of:": booking_keys.index_key,
          HOME + "availability:": booking_keys.availability_key,
          HOME + "calendar:token:": feeds.token_key,
          HOME + "calendar:account:": feeds.account_token_key}
_NOTIFICATIONS = HOME + "notifications:"
# Layout 12.
_CATEGORIES = HOME + "experts:cat:"
_UNREAD = (HOME + "experts:wants", HOME + "experts:indexed", HOME + "accounts:verified")
_BOOKED_SESSIONS = HOME + "booking:"


def _home_name(old: str) -> str:
    """Layout 1: a name from before the home slot gains its tag."""
    return old if old.startswith(_CURRENT) else HOME + old[len(OLD_PREFIX):]


def new_name(old: str) -> str:
    """The name of ``old`` in the current layout (itself when it is current)."""
    old = _home_name(old)
    if old.startswith(_EMAILS):
        return claim_key(old[len(_EMAILS):])
    if old.startswith(_BUSY):
        return busy_key(old[len(_BUSY):])
    if old.startswith(_WALLETS):
        owner, _, rest = old[len(_WALLETS):].partition("}")
        return wallet_prefix(owner) + (rest[1:] if rest else "wallet")
    if old.startswith(_INDEXES):
        return index_key(old[len(_INDEXES):])
    if old.startswith(_BRANDS) and old.endswith(":sessions"):
        return brand_sessions_key(old[len(_BRANDS):-len(":sessions")])
    if old.startswith(_PROCS) and old.endswith(":socks"):
        return proc_sockets_key(old[len(_PROCS):-len(":socks")])
    if old.startswith(_QUEUE):
        return queue_key(old[len(_QUEUE):])
    if old in _SHARED:
        return _SHARED[old]
    if old.startswith(_SESSIONS):
        return _session_name(old)
    if old.startswith(_PAIRS):
        return trust_keys.pair(*old[len(_PAIRS):].split("|", 1))
    if old.startswith(_BLOCKS):
        return trust_keys.blocks(old[len(_BLOCKS):])
    if old.startswith(_BOOKINGS) and old.endswith("}"):
        return booking_keys.booking_key(old[len(_BOOKINGS):-1])
    for prefix, named in _OWNED.items():
        if old.startswith(prefix):
            return named(old[len(prefix):])
    if old.startswith(_BOOKED_SESSIONS) and old.endswith(":session"):
        return booking_session_key(old[len(_BOOKED_SESSIONS):-len(":session")])
    if old.startswith(_CATEGORIES):
        return market_keys.category(old[len(_CATEGORIES):])
    if old.startswith(_NOTIFICATIONS):
        owner, seen, _ = old[len(_NOTIFICATIONS):].partition(":")
        return (booking_keys.seen_key if seen else booking_keys.notifications_key)(owner)
    if old.startswith(_UNANSWERED):
        return unanswered_key(old[len(_UNANSWERED):])
    if old.startswith(_LINKS):
        purpose, _, digest = old[len(_LINKS):].partition(":")
        return link_key(purpose, digest) if digest else old
    rest = old[len(_ACCOUNTS):]
    if old.startswith(_ACCOUNTS) and rest and ":" not in rest:
        return account_key(rest)
    return old  # acct:<id>:socks stays home: it is counted with the processes' leases


def _session_name(old: str) -> str:
    """Layout 7: a session's key in its bucket (its dispute stays home)."""
    session_id, _, rest = old[len(_SESSIONS):].partition("}")
    if rest in _BESIDE_SESSION:
        return session_key(session_id) + rest
    if rest.startswith(":file:"):
        return file_key(session_id, rest[len(":file:"):])
    return old


async def migrate_key_layout(redis: aioredis.Redis) -> int:
    """How many keys were moved (0 once done)."""
    done = await redis.get(DONE_KEY)
    if done == LAYOUT:
        return 0
    moved = 0
    if done is None and not is_cluster(redis):  # a Cluster never held layout 0
        async for key in redis.scan_iter(match=OLD_PREFIX + "*", count=1000):
            if (target := _home_name(key)) != key:
                moved += await _rename(redis, key, target)
    for family in (_ACCOUNTS, _BUSY, _WALLETS, _INDEXES, _BRANDS, _PROCS, _QUEUE, *_SHARED,
                   _SESSIONS, _LINKS, _UNANSWERED, _PAIRS, _BLOCKS, _BOOKINGS, *_OWNED,
                   _NOTIFICATIONS, _BOOKED_SESSIONS, _CATEGORIES):
        async for key in redis.scan_iter(match=family + "*", count=1000):
            if (target := new_name(key)) != key:
                moved += await copy_then_delete(redis, key, target)
    moved += await spread_deadlines(redis)
    moved += await spread_deadlines(redis, _BOOKING_DEADLINES, booking_keys.intent_deadlines)
    moved += await forget_stopped_sockets(redis)
    moved += await record_holds(redis)
    moved += await fold_mail_records(redis)
    moved += await spread_wants(redis)
    moved += await move_profiles(redis)
    moved += await fold_verifications(redis)
    moved += await fold_ratings(redis)
    moved += int(await redis.delete(*_UNREAD))
    await redis.set(DONE_KEY, LAYOUT)
    if moved:
        log.warning("moved %d Redis keys to the current layout (docs/cluster.md)", moved)
    return moved


async def _rename(redis: aioredis.Redis, key: str, target: str) -> int:
    try:
        return int(await redis.renamenx(key, target))
    except aioredis.ResponseError:
        return 0  # gone: another process starting at the same time renamed it
