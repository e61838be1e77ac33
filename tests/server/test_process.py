"""``python -m server`` as a user runs it: embedded Redis, graceful stop, data kept."""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.processes import ROOT, ServerProcess
from tests.waiting import until


def _post(url: str, body: dict[str, str]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _redis_pid(data_dir: Path) -> int:
    return int((data_dir / "redis" / "redis.pid").read_text())


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and b"redis" in Path(f"/proc/{pid}/cmdline").read_bytes()


def test_embedded_server_keeps_accounts_across_a_graceful_restart(tmp_path: Path) -> None:
    env = {"HELPCALL_DATA_DIR": str(tmp_path)}
    first = ServerProcess(env).wait_ready()
    assert "helpcall is running: open http://localhost:" in first.output()
    assert "TEST mode" in first.output()
    status, _ = _post(first.url + "/api/v1/accounts", {
        "email": "kept@example.test", "password": "long enough", "display_name": "K",
        "role": "client"})
    assert status == 201
    redis_pid = _redis_pid(tmp_path)
    assert first.stop() == 0
    until(lambda: not _alive(redis_pid), what="the embedded redis to stop")

    second = ServerProcess(env).wait_ready()
    try:
        status, body = _post(second.url + "/api/v1/tokens",
                              {"email": "kept@example.test", "password": "long enough"})
        assert status == 200 and body["token"]
    finally:
        assert second.stop() == 0


def test_a_killed_server_leaves_nothing_that_blocks_the_next_start(tmp_path: Path) -> None:
    env = {"HELPCALL_DATA_DIR": str(tmp_path)}
    first = ServerProcess(env).wait_ready()
    redis_pid = _redis_pid(tmp_path)
    first.stop(sig=9)
    until(lambda: not _alive(redis_pid), what="the orphaned redis to die with its parent")
    second = ServerProcess(env).wait_ready()
    assert second.stop() == 0


def test_a_bad_setting_stops_the_start_with_its_name() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server"], cwd=ROOT, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "HELPCALL_RING_SECONDS": "soon"}, timeout=30,
    )
    assert done.returncode == 2
    assert "HELPCALL_RING_SECONDS" in done.stderr
    assert "Traceback" not in done.stderr


def test_create_admin_from_the_command_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HELPCALL_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "server", "create-admin", "Boss@Example.test"], cwd=ROOT,
        input="admin password\n", capture_output=True, text=True, env=env, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "admin boss@example.test" in done.stdout
    server = ServerProcess({"HELPCALL_DATA_DIR": str(tmp_path)}).wait_ready()
    try:
        status, body = _post(server.url + "/api/v1/tokens",
                              {"email": "boss@example.test", "password": "admin password"})
        assert status == 200
        request = urllib.request.Request(
            server.url + "/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.loads(answer.read())["role"] == "admin"
    finally:
        server.stop()


def test_a_second_server_on_the_same_data_dir_says_why_it_cannot_start(tmp_path: Path) -> None:
    first = ServerProcess({"HELPCALL_DATA_DIR": str(tmp_path)}).wait_ready()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "server"], cwd=ROOT, capture_output=True, text=True,
            env={"PATH": "/usr/bin:/bin", "HELPCALL_DATA_DIR": str(tmp_path), "PORT": "0"},
            timeout=30,
        )
        assert done.returncode == 2
        assert "in use by another helpcall process" in done.stderr
        assert "Traceback" not in done.stderr
    finally:
        first.stop()
