"""The one way helpcall loads Lua: every script is a ``.lua`` file, assembled and registered here.

A script names what it needs in header lines (``--!``) at its top:

- ``--! use common/lua/clock.lua`` prepends a shared piece (a path from the directory that
  holds the packages). Pieces may use others; each is included once, dependencies first, so
  a function such as ``now_ms`` is written once for the whole project.
- ``--! keys: booking expert_index`` and ``--! args: id at`` name its KEYS and ARGV in
  order. The script then reads ``KEY.booking`` and ``ARG.at``, and Python passes mappings
  (``keys={"booking": ...}``): nobody counts positions on either side, and a name missing
  or misspelt fails at once (``ValueError``) instead of shifting every later value. A last
  name written ``...name`` takes the rest as a list (``KEY.name`` is then a Lua array).
  A long list goes on over several lines, each ``--! keys:`` continuing the one before.
- A shared piece may name keys and arguments too: the layout common to a family of scripts
  (``sessions/lua/prelude.lua``, ``appointments/lua/prelude.lua``). Its names come first,
  then those of the script that uses it, so every script of a family reads the same
  ``KEY.session`` (or ``KEY.booking``) and adds its own; a name given twice, or after a
  ``...rest``, fails at load.

A script that moves money (holds, charges, credits, billing events) says ``--! durable``:
when replicas are required (``replicas.require``, ``HELPCALL_REDIS_WAIT_REPLICAS``) it
runs in one pipeline with ``WAIT``, so that its caller hears of it only once the replicas
have it and a failover cannot lose what a person was told (docs/cluster.md).

Every script of the project names its keys and arguments; sequences are still accepted for
a script that declares none (the shared pieces' own test drivers).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import redis as syncredis
import redis.asyncio as aioredis
from redis.exceptions import NoScriptError
from redis.typing import EncodableT, KeyT

from common import keyspace, replicas
from common.redisclient import is_cluster

# The directory holding the packages (the source tree, or site-packages once installed).
ROOT = Path(__file__).resolve().parents[1]

# Lua's reserved words cannot name a table field written ``name = ...``.
_RESERVED = frozenset(
    "and break do else elseif end false for function if in local nil not or repeat return "
    "then true until while".split())
_HEADER = re.compile(r"^--!\s*(use|keys:|args:|durable)\s*(.*?)\s*$")

KeyValue = KeyT | Sequence[KeyT]
ArgValue = EncodableT | Sequence[EncodableT]


@dataclass(frozen=True)
class Names:
    """The names of a script's KEYS or ARGV; ``rest`` takes whatever follows them."""

    fixed: tuple[str, ...] = ()
    rest: str | None = None

    @classmethod
    def parse(cls, text: str) -> Names:
        words = text.split()
        rest = words.pop()[3:] if words and words[-1].startswith("...") else None
        if any(not w.isidentifier() or w in _RESERVED
               for w in [*words, *([rest] if rest else [])]):
            raise ValueError(f"bad Lua names: {text!r}")
        return cls(tuple(words), rest)

    @property
    def declared(self) -> bool:
        return bool(self.fixed) or self.rest is not None

    @property
    def every(self) -> tuple[str, ...]:
        return (*self.fixed, *([self.rest] if self.rest else []))

    def then(self, more: Names) -> Names:
        """These names followed by ``more``'s (a shared piece's, then its script's)."""
        if not more.declared:
            return self
        if self.rest or set(self.every) & set(more.every):
            raise ValueError(f"Lua names {self.every} cannot be followed by {more.every}")
        return Names((*self.fixed, *more.fixed), more.rest)

    def lua(self, table: str, source: str) -> str:
        """``local KEY = {name = KEYS[1], ...}`` (the rest as an array)."""
        cells = [f"{name} = {source}[{n}]" for n, name in enumerate(self.fixed, 1)]
        text = f"local {table} = {{{', '.join(cells)}}}\n"
        if self.rest:
            # A loop, not unpack(): Lua in Redis refuses to unpack 8000 values or more.
            skip = len(self.fixed)
            text += (f"{table}.{self.rest} = {{}}\n"
                     f"for i = {skip + 1}, #{source} do "
                     f"{table}.{self.rest}[i - {skip}] = {source}[i] end\n")
        return text

    def flatten(self, what: str, given: Mapping[str, Any]) -> list[Any]:
        expected = set(self.every)
        if set(given) != expected:
            raise ValueError(f"Lua {what}: expected {sorted(expected)}, got {sorted(given)}")
        values = [given[name] for name in self.fixed]
        if self.rest:
            values.extend(given[self.rest])
        return values


@dataclass(frozen=True)
class Source:
    """A script as Redis runs it: the shared pieces it uses, then its own text."""

    path: str
    text: str
    keys: Names
    args: Names
    durable: bool = False


def _headers(path: str) -> tuple[list[str], Names, Names, str]:
    uses: list[str] = []
    keys, args = Names(), Names()
    body = (ROOT / path).read_text(encoding="utf-8")
    for line in body.splitlines():
        match = _HEADER.match(line)
        if not match:
            if line.startswith("--!"):
                raise ValueError(f"{path}: unknown header {line!r}")
            continue
        kind, value = match.groups()
        if kind == "durable":
            continue
        if kind == "use":
            uses.append(value)
        elif kind == "keys:":
            keys = keys.then(Names.parse(value))
        else:
            args = args.then(Names.parse(value))
    return uses, keys, args, body


def _pieces(path: str, seen: list[str], stack: tuple[str, ...] = ()) -> None:
    if path in stack:
        raise ValueError(f"Lua pieces use each other in a circle: {' -> '.join(stack)}")
    if path in seen:
        return
    for used in _headers(path)[0]:
        _pieces(used, seen, (*stack, path))
    seen.append(path)


@cache
def source(path: str, prefix: str = "") -> Source:
    """The assembled text of the script at ``path`` (from ``ROOT``).

    ``prefix`` is Lua generated from Python data (the state machine's table), placed first.
    """
    order: list[str] = []
    _pieces(path, order)
    keys, args = Names(), Names()
    for piece in order:  # dependencies first, the script itself last
        _, piece_keys, piece_args, _ = _headers(piece)
        keys, args = keys.then(piece_keys), args.then(piece_args)
    parts = [prefix] if prefix else []
    parts += [keys.lua("KEY", "KEYS") if keys.declared else "",
              args.lua("ARG", "ARGV") if args.declared else ""]
    parts += [_headers(piece)[3] for piece in order]
    durable = "--! durable" in (line.strip() for line in _headers(path)[3].splitlines())
    return Source(path, "".join(parts), keys, args, durable)


def _values(names: Names, what: str,
            given: Mapping[str, Any] | Sequence[Any]) -> list[Any]:
    if isinstance(given, Mapping):
        return names.flatten(what, given)
    if names.declared:
        raise ValueError(f"Lua {what} of this script are passed by name")
    return list(given)


class Lua:
    """A script; call it with its keys and arguments (by name when declared).

    It is sent by its SHA. A Redis that does not have it (restarted, or a replica just
    promoted) answers ``NOSCRIPT``, and the script is sent again with its text, to the node
    that serves its keys only: ``SCRIPT LOAD`` would go to every primary of a Cluster, and
    fail while any one of them is down."""

    def __init__(self, redis: aioredis.Redis, path: str, prefix: str = "") -> None:
        self.source = source(path, prefix)
        self.sha = hashlib.sha1(self.source.text.encode()).hexdigest()
        self._redis = redis

    async def __call__(
        self,
        keys: Mapping[str, KeyValue] | Sequence[KeyT] = (),
        args: Mapping[str, ArgValue] | Sequence[EncodableT] = (),
    ) -> Any:
        key_values, arg_values = self._checked(keys, args)
        wanted = replicas.required(self._redis) if self.source.durable else None
        if wanted is not None:
            return await replicas.run_durable(self._redis, self.sha, self.source.text,
                                              self.source.path, key_values, arg_values, wanted)
        client: Any = self._redis  # redis-py's script commands are untyped
        try:
            return await client.evalsha(self.sha, len(key_values), *key_values, *arg_values)
        except NoScriptError:
            return await client.eval(self.source.text, len(key_values), *key_values,
                                     *arg_values)

    def step(self, keys: Mapping[str, KeyValue], args: Mapping[str, ArgValue]) -> Step:
        """This script as a step of ``in_order`` (durable as the script says)."""
        key_values, arg_values = self._checked(keys, args)
        return Step(("EVALSHA", self.sha, len(key_values), *key_values, *arg_values), self)

    def _checked(
        self, keys: Mapping[str, KeyValue] | Sequence[KeyT],
        args: Mapping[str, ArgValue] | Sequence[EncodableT],
    ) -> tuple[list[Any], list[Any]]:
        """The values in order, once the keys are known to share a slot (in the tests)."""
        key_values = _values(self.source.keys, "keys", keys)
        if keyspace.CHECK_SLOTS:
            keyspace.check_one_slot(self.source.path, key_values)
        return key_values, _values(self.source.args, "args", args)


@dataclass(frozen=True)
class Step:
    """One command of a sequence run by ``in_order``; ``script``: the one its ``EVALSHA``
    runs."""

    command: tuple[EncodableT, ...]
    script: Lua | None = None

    def by_text(self) -> tuple[EncodableT, ...]:
        """The command with the script's text in place of its SHA (for ``NOSCRIPT``)."""
        if self.script is None:
            return self.command
        return ("EVAL", self.script.source.text, *self.command[2:])

    @property
    def durable(self) -> bool:
        return self.script is not None and self.script.source.durable


async def in_order(redis: aioredis.Redis, *steps: Step, first: Sequence[Step] = ()) -> list[Any]:
    """Run ``steps`` one after another, each seeing the writes of those before, and answer
    their replies. On one Redis they go in one pipeline: a single connection keeps their
    order, so a process that stops while sending leaves the first steps done, never a later
    one without an earlier. A Cluster's pipeline sends each primary its share on its own
    connection, in no promised order: there they go one at a time.

    ``first``: steps that may run in any order among themselves, all before ``steps``
    (none durable): on one Redis they open the same pipeline; on a Cluster they go in a
    pipeline of their own, each primary its share at once. Their replies come first.

    When replicas are required (``replicas.require``), a sequence with a durable step (one
    that moves money) is answered once they hold it, as a durable script is: on one Redis
    one ``WAIT`` ends the pipeline (it counts every write of that connection); on a
    Cluster each durable step waits for its own primary's replicas."""
    wanted = replicas.required(redis)
    if is_cluster(redis):
        earlier = await _sent(redis, first) if first else []
        return earlier + [await _alone(redis, step, wanted) for step in steps]
    steps = (*first, *steps)
    durable = [step.script.source.path for step in steps if step.durable and step.script]
    if wanted is None or not durable:
        return await _sent(redis, steps)
    *replies, acknowledged = await _sent(
        redis, [*steps, Step(("WAIT", wanted.count, wanted.timeout_ms))])
    replicas.check(", ".join(durable), wanted, int(acknowledged))
    return replies


async def _alone(redis: aioredis.Redis, step: Step, wanted: replicas.Replicas | None) -> Any:
    """One step on its own (a Cluster's), waiting for replicas when it is durable."""
    if wanted is None or not step.durable or step.script is None:
        return (await _sent(redis, (step,)))[0]
    count = int(str(step.command[2]))
    keys = cast(Sequence[KeyT], step.command[3:3 + count])  # the script's keys, as named
    args = step.command[3 + count:]
    return await replicas.run_durable(redis, step.script.sha, step.script.source.text,
                                      step.script.source.path, keys, args, wanted)


async def _sent(redis: aioredis.Redis, steps: Sequence[Step]) -> list[Any]:
    try:
        return await _pipelined(redis, [step.command for step in steps])
    except NoScriptError:
        # Redis lost its scripts (see Lua): send the steps again with their text. They are
        # idempotent, as every step of a sequence must be.
        return await _pipelined(redis, [step.by_text() for step in steps])


async def _pipelined(redis: aioredis.Redis,
                     commands: Sequence[tuple[EncodableT, ...]]) -> list[Any]:
    async with redis.pipeline(transaction=False) as pipe:
        for command in commands:
            pipe.execute_command(*command)
        return list(await pipe.execute())


class SyncLua:
    """The same for a synchronous client (tests that drive scripts from Hypothesis)."""

    def __init__(self, redis: syncredis.Redis, path: str, prefix: str = "") -> None:
        self.redis = redis
        self.source = source(path, prefix)
        self._script = redis.register_script(self.source.text)

    def __call__(self, keys: Mapping[str, KeyValue] | Sequence[KeyT] = (),
                 args: Mapping[str, ArgValue] | Sequence[EncodableT] = ()) -> Any:
        return self._script(keys=_values(self.source.keys, "keys", keys),
                            args=_values(self.source.args, "args", args))


def every_script() -> list[str]:
    """Every ``.lua`` file of the project's packages, as paths from ``ROOT``."""
    found = []
    for package in sorted(p for p in ROOT.iterdir() if (p / "__init__.py").exists()):
        found += [str(f.relative_to(ROOT)) for f in sorted(package.rglob("*.lua"))]
    return found
