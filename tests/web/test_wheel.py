"""``pip install .`` gives a working server: the wheel, installed into a clean venv and
started as ``helpcall serve`` from outside the source tree, serves pages whose socket
connects, and the API reference page; without its browser assets it refuses to start.

Fast on purpose: the wheel is built with the test venv's setuptools, and installed without its
dependencies; the venv reaches those through a path entry to the test venv's site-packages
(a path entry, so its editable helpcall is not seen), and the test checks that every
requirement the wheel declares is satisfied there. Code and data come from the wheel only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tests.processes import ROOT, free_port
from tests.waiting import until
from tests.web.conftest import PASSWORD, log_in

pytestmark = pytest.mark.timeout(300)

PROFILE = {"headline": "Knife skills", "categories": ["cooking"], "languages": ["en"],
           "pricing": {"mode": "free"}}
# Run inside the clean venv: where helpcall comes from, and whether its requirements are met.
_INSPECT = """
import json, importlib.metadata as md, server, web.assets
from packaging.requirements import Requirement
unmet = []
for line in md.requires("helpcall") or []:
    req = Requirement(line)
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        continue
    try:
        if md.version(req.name) not in req.specifier:
            unmet.append(line)
    except md.PackageNotFoundError:
        unmet.append(line)
print(json.dumps({"server": server.__file__, "vendor": str(web.assets.VENDOR), "unmet": unmet}))
"""


@dataclass(frozen=True)
class Installed:
    bin: Path
    seen: dict[str, Any]  # what _INSPECT printed

    @property
    def vendor(self) -> Path:
        return Path(self.seen["vendor"])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """A venv holding the wheel built from this tree."""
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                    "--no-build-isolation", "-w", str(tmp / "dist")], check=True, cwd=tmp)
    wheel = next((tmp / "dist").glob("helpcall-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", str(wheel)], check=True, cwd=tmp)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "_test_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n")
    seen = json.loads(subprocess.run([str(python), "-c", _INSPECT], cwd=tmp, check=True,
                                     capture_output=True, text=True).stdout)
    yield Installed(venv / "bin", seen)


def test_the_wheel_holds_the_package_and_its_browser_assets(installed: Installed) -> None:
    # Imported from the venv, not from the source tree; every requirement is there.
    assert installed.seen["server"].startswith(str(installed.bin.parent)), installed.seen
    assert not installed.seen["unmet"], installed.seen["unmet"]
    assert {p.name for p in installed.vendor.iterdir()} >= {
        "socket.io.esm.min.js", "swagger-ui-bundle.js", "swagger-ui.css"}


def _serve(bin_dir: Path, tmp: Path, redis_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "REDIS_URL": redis_url, "HOST": "127.0.0.1",
           "PORT": str(port), "HELPCALL_DATA_DIR": str(tmp / "data"),
           "HELPCALL_SECRET_KEY": "wheel-test-secret", "HELPCALL_LOG_LEVEL": "WARNING"}
    log = open(tmp / f"serve-{port}.log", "wb")
    process = subprocess.Popen([str(bin_dir / "helpcall"), "serve"], cwd=tmp, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _post(url: str, body: dict[str, object], token: str | None = None,
          method: str = "POST") -> dict[str, object]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method=method)
    with urllib.request.urlopen(request, timeout=10) as answer:
        loaded: dict[str, object] = json.loads(answer.read())
        return loaded


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def test_the_installed_wheel_serves_pages_whose_socket_connects(
    installed: Installed, tmp_path: Path, redis_url: str, redis: object, browser: Browser
) -> None:
    process, url = _serve(installed.bin, tmp_path, redis_url)
    try:
        until(lambda: process.poll() is not None or _ready(url), 60, "helpcall serve")
        assert process.poll() is None, "helpcall serve exited early"
        email = "wheel-expert@example.test"
        _post(url + "/api/v1/accounts", {"email": email, "password": PASSWORD,
                                         "display_name": "Wheel Expert", "role": "expert"})
        token = str(_post(url + "/api/v1/tokens", {"email": email, "password": PASSWORD})["token"])
        _post(url + "/api/v1/experts/me", PROFILE, token, method="PUT")

        context = await browser.new_context(base_url=url)
        try:
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await log_in(page, _Person(email))
            # Going online travels over the socket: the vendored client from the wheel works.
            await page.get_by_role("button", name="Go online").click()
            await expect(page.locator("[data-presence=online]")).to_be_visible()
            await page.goto("/api/docs")
            await expect(page.get_by_text("helpcall API").first).to_be_visible()
            await expect(page.get_by_text("Create an account (client or expert)")).to_be_visible()
            assert not errors, errors
        finally:
            await context.close()
    finally:
        _stop(process)


def test_without_its_browser_assets_the_server_refuses_to_start(
    installed: Installed, tmp_path: Path, redis_url: str
) -> None:
    vendor = installed.vendor
    hidden = vendor.with_name("vendor-hidden")
    vendor.rename(hidden)
    try:
        process, _ = _serve(installed.bin, tmp_path, redis_url)
        assert process.wait(60) == 2
        message = next(tmp_path.glob("serve-*.log")).read_text()
        assert "browser assets are missing" in message
        assert "scripts/bootstrap" in message and "pip install ." in message
    finally:
        hidden.rename(vendor)


class _Person:
    """What ``log_in`` needs of a user."""

    def __init__(self, email: str) -> None:
        self.email = email
