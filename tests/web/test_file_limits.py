"""An account's file limits, as a person in a call sees them: a plain sentence, the call
going on."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import expect

from tests.conftest import Running, StartApp
from tests.web.calls import CALL_ENV, Cast, answer, make_cast, ring
from tests.web.conftest import Browse


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    return await start_app(**CALL_ENV, HELPCALL_FILE_RATE_FILES="1",
                           HELPCALL_FILE_RATE_SECONDS="1800")


@pytest.fixture
async def cast(browse: Browse, site: Running) -> Cast:
    return await make_cast(browse, site)


def _photo(padding: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 40)).save(out, format="PNG")
    return out.getvalue() + b"\0" * padding


async def test_past_the_upload_rate_the_page_says_when_to_try_again(
    cast: Cast, tmp_path: Path
) -> None:
    client, expert = cast.client_page, cast.expert_page
    (tmp_path / "tap.png").write_bytes(_photo(0))
    (tmp_path / "sink.png").write_bytes(_photo(3 * 1024 * 1024))  # refused before it is read
    await ring(cast)
    await answer(cast)
    chooser = client.get_by_label("Share a photo or a file (up to 10 MB)")
    status = client.locator("[data-role=file-status]")
    await chooser.set_input_files(tmp_path / "tap.png")
    await expect(status).to_have_text("tap.png is shared.")
    await chooser.set_input_files(tmp_path / "sink.png")
    await expect(status).to_have_text(
        "sink.png was not shared: you have sent many files lately. Try again in 30 min.")
    # The call goes on: chat still reaches the expert.
    await client.get_by_label("Message").fill("I will describe the sink instead")
    await client.get_by_role("button", name="Send").click()
    await expect(expert.locator("[data-role=chat-log] li.theirs").last).to_contain_text(
        "I will describe the sink instead")
