"""The retention job trims each billing stream on its own: on a Cluster there is one per
bucket of sessions (``common.keyspace.every_stream``), each with its consumer groups and its
own record of where it was trimmed. Here a name sharded as on a Cluster gives the buckets'
streams as plain keys of the single test Redis."""

from __future__ import annotations

from dataclasses import replace

import pytest
import redis.asyncio as aioredis

from common.keyspace import SHARDED_STREAM, bucket_stream
from common.streams import billing_horizon, trimmed_before, trimmed_key
from privacy.retention import Retention
from server.keys import RETENTION
from tests.conftest import Running

pytestmark = pytest.mark.cluster  # the buckets' streams in their own slots there

SHARDED = "test:billing" + SHARDED_STREAM  # no app reads it: only this retention


async def test_each_billing_stream_is_trimmed_on_its_own(
    running: Running, redis: aioredis.Redis
) -> None:
    app = running.app[RETENTION]
    retention = Retention(redis, app.files, app.eraser,
                          replace(app.rules, billing_stream=SHARDED), "p_test")
    zero, five, nine = (bucket_stream(SHARDED, bucket) for bucket in (0, 5, 9))
    await redis.xadd(zero, {"n": "1"}, id="1000-0")
    recent = await redis.xadd(zero, {"n": "2"})  # within the retention time: kept
    await redis.xadd(five, {"n": "3"}, id="2000-0")
    # Bucket 9's group has not read its old entry yet: it stays, whatever the others do.
    await redis.xgroup_create(nine, "readers", id="0", mkstream=True)
    await redis.xadd(nine, {"n": "4"}, id="3000-0")

    assert (await retention.run_once()).billing_entries == 2
    assert [await redis.xlen(s) for s in (zero, five, nine)] == [1, 0, 1]
    assert (await redis.xrange(zero))[0][0] == recent
    assert await trimmed_before(redis, zero) == await trimmed_before(redis, five) > (3000, 0)
    assert not await redis.exists(trimmed_key(nine))
    assert await billing_horizon(redis, SHARDED) == await trimmed_before(redis, zero)
