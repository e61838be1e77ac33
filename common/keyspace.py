"""Which hash slot each of helpcall's keys lives in (docs/cluster.md, "The key layout").

A Redis Cluster serves a key from the slot of its hash tag, the text between its first
``{`` and the next ``}``, and refuses a script or a transaction whose keys span slots
(``CROSSSLOT``). So a key's tag says what may change with it in one step:

- ``{0}``, the *home* tag: every family not yet spread. Whatever one script touches there
  shares a slot, whatever the script.
- ``{<n>}``, ``n`` = 0 .. ``BUCKETS`` - 1: a *bucket* of sessions. A session, everything
  that is its alone, the deadlines of the sessions of its bucket and, on a Cluster, the
  billing stream they append to share the bucket's tag, so that the script that ends a
  call changes all three at once. Bucket 0 is the home tag: what the home slot's scripts
  append to the billing stream or the deadlines (a dispute's refund) is in bucket 0's.
- ``{a:<account id>}``: what belongs to one account and changes only with itself: its hash,
  its ring counters, where its sockets are.
- ``{m:<email>}``: what is counted or claimed per email address: the claim of the address
  by an account, taken before the account is written (accounts/claims.py: sign-up is a
  sequence of single-slot steps), and the mailed-link counter.
- ``{ip:<address>}``: what is counted per client IP address: login attempts (per address,
  and per address and email, changed together) and sign-ups.
- ``{l:<digest>}``: a mailed single-use link, by the digest of its token.
- ``{br:<brand id>}``: what one brand owns alone: the index of its sessions.
- ``{p:<process id>}``: what one web process owns alone: the indexes of the session and
  account sockets it holds, which a surviving process reads once it is dead.
- ``{q:<category>}``: a category's queue of calls.
- ``{g:<name>}``: a key every process shares, alone in its slot (a global index: the
  categories with a queue, when each expert was last rung).

Each prefix below is the only place a key of its family is spelt out.
"""

from __future__ import annotations

from functools import lru_cache

from redis.crc import key_slot

HOME = "hc:{0}:"
# How many buckets the sessions are spread over: 16 primaries at most share them out (a
# Cluster with more would leave some without sessions). Fixed: a session's keys are named
# from its bucket, so changing it is a key migration (server/keymigration.py). Every
# reaper and billing worker covers all of them.
BUCKETS = 16
SHARDED_STREAM = ":{0}"  # how bucket 0's billing stream ends on a Cluster (stream_on)

# The test suite sets this (tests/conftest.py), and with it every script call checks that
# the helpcall keys it is given share one slot: the suite then finds on a single Redis what
# a Cluster would refuse. Off in production: Redis itself checks there, when it matters.
CHECK_SLOTS = False


def account_prefix(account_id: str) -> str:
    """The prefix of the keys one account owns alone."""
    return f"hc:{{a:{account_id}}}:"


def email_prefix(email: str) -> str:
    """The prefix of an email address's claim."""
    return f"hc:{{m:{email}}}:"


def ip_prefix(ip: str) -> str:
    """The prefix of the counters kept per client IP address."""
    return f"hc:{{ip:{ip}}}:"


def link_prefix(digest: str) -> str:
    """The prefix of a mailed link's key, by the digest of its token."""
    return f"hc:{{l:{digest}}}:"


def feed_prefix(token: str) -> str:
    """The prefix of a private calendar feed's token (read by every feed fetch)."""
    return f"hc:{{f:{token}}}:"


def pair_prefix(first: str, second: str) -> str:
    """The prefix of what two accounts share alone (their ids in order): whether one
    blocked the other, read before every call between them."""
    return f"hc:{{k:{first}|{second}}}:"


def brand_prefix(brand_id: str) -> str:
    """The prefix of the keys one brand owns alone."""
    return f"hc:{{br:{brand_id}}}:"


def process_prefix(proc: str) -> str:
    """The prefix of the keys one web process owns alone."""
    return f"hc:{{p:{proc}}}:"


def queue_prefix(category: str) -> str:
    """The prefix of a category's queue."""
    return f"hc:{{q:{category}}}:"


def global_key(name: str) -> str:
    """A key of its own, shared by every process, in the slot of its name."""
    return f"hc:{{g:{name}}}"


@lru_cache(maxsize=65_536)
def bucket_of(owner_id: str) -> int:
    """The bucket of a session (by its id): spread evenly, the same in every process.
    Remembered: a call's scripts name its keys many times over."""
    return int(key_slot(owner_id.encode())) % BUCKETS


def bucket_prefix(bucket: int) -> str:
    """The prefix of a bucket's keys (bucket 0: ``HOME``)."""
    return f"hc:{{{bucket}}}:"


BUCKET_PATTERN = "hc:{*}:"  # the prefix of every bucket's keys, for SCAN patterns


def bucket_stream(home_stream: str, bucket: int) -> str:
    """The billing stream of a bucket, given the home one (``stream_on``'s answer):
    ``<name>:{<n>}`` on a Cluster (protocol §7.1), the one stream on a single Redis."""
    if home_stream.endswith(SHARDED_STREAM):
        return f"{home_stream[:-len(SHARDED_STREAM)]}:{{{bucket}}}"
    return home_stream


def every_stream(home_stream: str) -> list[str]:
    """Every billing stream, bucket 0's first: the one on a single Redis."""
    return list(dict.fromkeys(bucket_stream(home_stream, n) for n in range(BUCKETS)))


def slot_of(key: str) -> int:
    return int(key_slot(key.encode()))


def check_one_slot(what: str, keys: list[object]) -> None:
    """Raise when helpcall's keys among ``keys`` (those named ``hc:...``) span slots."""
    slots = {slot_of(k) for k in keys if isinstance(k, str) and k.startswith("hc:")}
    if len(slots) > 1:
        named = [k for k in keys if isinstance(k, str) and k.startswith("hc:")]
        raise AssertionError(f"{what}: keys in {len(slots)} slots, a Cluster refuses: {named}")
