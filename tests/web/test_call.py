"""Whole calls in two real browsers: the client's and the expert's, with fake cameras.

Also what happens in a call beyond the video: a photo shared with a progress bar, and a
camera refused.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import redis.asyncio as aioredis
from PIL import Image
from playwright.async_api import expect

from tests.conftest import Running, StartApp, billing_entries
from tests.web.calls import (
    CALL_ENV,
    Cast,
    answer,
    call_state,
    expert_with_profile,
    go_online,
    make_cast,
    remote_video_plays,
    ring,
)
from tests.web.conftest import Browse, sign_up
from web.money import format_amount


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    return await start_app(**CALL_ENV)


@pytest.fixture
async def cast(browse: Browse, site: Running) -> Cast:
    return await make_cast(browse, site)


@pytest.mark.cluster  # a browser call on a Cluster too, in CI
async def test_a_whole_call_from_call_now_to_the_summary(
    cast: Cast, redis: aioredis.Redis, site: Running
) -> None:
    client, expert = cast.client_page, cast.expert_page
    opened: list[str] = []  # the websockets' URLs (the handshakes)
    for page in (client, expert):
        page.on("websocket", lambda socket: opened.append(socket.url))
    await ring(cast)
    incoming = expert.locator("[data-role=incoming]")
    await expect(incoming).to_contain_text("Pierre")
    await expect(incoming).to_contain_text("My sourdough does not rise")
    await expect(incoming).to_contain_text("€6.00 / min")
    await call_state(client, "ringing")

    async with expert.expect_navigation(url="**/call/*"):
        await expert.get_by_role("button", name="Accept").click()
    assert expert.url == client.url  # both on /call/<the same session>
    await call_state(client, "live")
    await call_state(expert, "live")
    # Both call pages name the call in their handshake, for a balancer that hashes on it
    # (docs/deployment.md, "Calls on one process"); the profile page does not.
    session_id = client.url.rsplit("/", 1)[1]
    calls = [parse_qs(urlsplit(url).query).get("call") for url in opened]
    assert calls.count([session_id]) == 2 and calls.count(None) == len(calls) - 2, opened
    await remote_video_plays(client)
    await remote_video_plays(expert)
    await expect(client.locator("[data-role=peer-name]")).to_have_text("Call with Marie Curie")
    await expect(expert.locator("[data-role=peer-name]")).to_have_text("Call with Pierre")

    await client.get_by_label("Message").fill("Bonjour, can you see my dough?")
    await client.get_by_role("button", name="Send").click()
    await expect(expert.locator("[data-role=chat-log]")).to_contain_text(
        "Bonjour, can you see my dough?"
    )
    await expect(client.locator("[data-role=chat-log] li.mine")).to_have_count(1)
    await expert.get_by_label("Message").fill("Yes, it needs more time.")
    await expert.get_by_role("button", name="Send").click()
    await expect(client.locator("[data-role=chat-log] li.theirs")).to_contain_text(
        "Yes, it needs more time."
    )

    await client.get_by_role("button", name="Share screen").click()
    await expect(client.locator("#call")).to_have_attribute("data-sharing", "on")
    await expect(client.get_by_role("button", name="Stop sharing")).to_be_visible()
    await remote_video_plays(expert)  # the screen now flows where the camera was
    await expect(client.locator("[data-role=timer]")).not_to_have_text("0:00")

    await client.get_by_role("button", name="Hang up").click()
    await call_state(client, "ended")
    await call_state(expert, "ended")
    for page in (client, expert):
        await expect(page.locator("[data-role=summary]")).to_be_visible()

    events = await billing_entries(redis)
    assert len(events) == 1
    billing = events[0][1]
    assert billing["end_reason"] == "hangup" and int(billing["amount_cents"]) > 0
    amount = format_amount(int(billing["amount_cents"]), billing["currency"], "en")
    for page in (client, expert):
        shown = page.locator("[data-role=summary-amount]")
        await expect(shown).to_have_attribute("data-amount-cents", billing["amount_cents"])
        await expect(shown).to_have_text(amount)

    # Opened again later, the call page shows the same summary.
    call_url = client.url
    await client.goto(call_url)
    await call_state(client, "ended")
    await expect(client.locator("[data-role=summary-amount]")).to_have_text(amount)

    # The receipt of the session, downloaded from the history.
    await client.goto("/sessions")
    row = client.locator(f"tr[data-session-id='{billing['session_id']}']")
    await expect(row).to_contain_text("Marie Curie")
    async with client.expect_download() as download_info:
        await row.get_by_role("link", name="Download receipt").click()
    download = await download_info.value
    receipt = (await download.path()).read_text(encoding="utf-8")
    assert "Marie Curie" in receipt and amount in receipt and billing["session_id"] in receipt

    await expert.goto("/console")
    await expect(expert.locator("[data-role=calls-today]")).to_have_text("1")
    await expect(expert.locator("[data-presence=online]")).to_be_visible()  # back online


async def test_a_declined_call_ends_on_both_sides(cast: Cast, redis: aioredis.Redis) -> None:
    client, expert = cast.client_page, cast.expert_page
    await ring(cast)
    await expert.get_by_role("button", name="Decline").click()
    await expect(expert.locator("[data-role=incoming]")).to_be_hidden()
    await call_state(client, "ended")
    await expect(client.locator("[data-role=status-text]")).to_have_text("The call was declined.")
    assert len(await billing_entries(redis)) == 0  # never accepted: no billing event


async def test_the_expert_sees_reconnecting_then_the_end_when_the_client_leaves(
    cast: Cast, redis: aioredis.Redis
) -> None:
    client, expert = cast.client_page, cast.expert_page
    await ring(cast)
    async with expert.expect_navigation(url="**/call/*"):
        await expert.get_by_role("button", name="Accept").click()
    await call_state(expert, "live")
    await remote_video_plays(expert, cast.browse)

    await client.context.close()
    await call_state(expert, "paused")
    await expect(expert.locator("[data-role=reconnecting]")).to_be_visible()
    await expect(expert.locator("[data-role=reconnecting]")).to_contain_text("Reconnecting")
    await call_state(expert, "ended")
    await expect(expert.locator("[data-role=summary]")).to_be_visible()
    await expect(expert.locator("[data-role=summary-reason]")).to_have_text(
        "The connection was lost for too long."
    )
    events = await billing_entries(redis)
    assert [e[1]["end_reason"] for e in events] == ["dropped"]


async def test_the_call_page_in_french(
    browse: Browse, site: Running, redis: aioredis.Redis
) -> None:
    expert = await expert_with_profile(site)
    expert_page = await browse.page(locale="fr-FR")
    await go_online(expert_page, expert, french=True)
    client = await browse.page(locale="fr-FR")
    await client.goto("/signup")
    await client.get_by_label("Nom").fill("Amélie")
    await client.get_by_label("Adresse e-mail").fill("amelie@example.test")
    await client.get_by_label("Mot de passe").fill("correct horse")
    async with client.expect_navigation():
        await client.get_by_role("button", name="Créer mon compte").click()
    await client.goto("/wallet")
    await client.get_by_label("Montant (EUR)").fill("12,50")
    await client.get_by_role("button", name="Ajouter", exact=True).click()
    await expect(client.locator("#balance")).to_have_text("12,50 €")
    await expect(client.locator("#ledger-rows")).to_contain_text("Recharge")

    await client.goto(f"/experts/{expert.id}")
    await expect(client.locator("[data-field=price]")).to_have_text("6,00 € / min")
    await expect(client.locator("[data-field=status]")).to_have_text("En ligne")
    async with client.expect_navigation(url="**/call/*"):
        await client.get_by_role("button", name="Appeler maintenant").click()
    await expect(client.locator("[data-role=status-text]")).to_have_text("Ça sonne")
    async with expert_page.expect_navigation(url="**/call/*"):
        await expert_page.get_by_role("button", name="Accepter").click()
    await call_state(client, "live")
    await expect(client.locator("[data-role=status-text]")).to_have_text("En direct")
    for name in ["Raccrocher", "Couper le micro", "Couper la caméra", "Partager l'écran"]:
        await expect(client.get_by_role("button", name=name)).to_be_visible()
    await expect(client.locator("[data-role=rate]")).to_have_text("6,00 € / min")
    await client.get_by_role("button", name="Raccrocher").click()
    await call_state(expert_page, "ended")
    await expect(client.locator("[data-role=summary]")).to_contain_text("Appel terminé")
    billing = (await billing_entries(redis))[0][1]
    await expect(client.locator("[data-role=summary-amount]")).to_have_text(
        format_amount(int(billing["amount_cents"]), "EUR", "fr")
    )


async def test_call_now_without_funds_explains_what_to_do(
    browse: Browse, site: Running
) -> None:
    expert = await expert_with_profile(site)
    expert_page = await browse.page()
    await go_online(expert_page, expert)
    client = await browse.page()
    await sign_up(client, "Penny", "penny@example.test")
    await client.goto(f"/experts/{expert.id}")
    async with client.expect_navigation(url="**/problem/insufficient_funds*"):
        await client.get_by_role("button", name="Call now").click()
    await expect(client.get_by_role("heading", level=1)).to_have_text(
        "Not enough funds for this call"
    )
    await expect(client.get_by_role("link", name="Top up my wallet")).to_be_visible()


async def test_an_unknown_call_shows_call_not_found(browse: Browse, site: Running) -> None:
    client = await browse.page()
    await sign_up(client, "Nemo", "nemo@example.test")
    async with client.expect_navigation(url="**/problem/call_not_found"):
        await client.goto("/call/s_00000000000000000000")
    await expect(client.get_by_role("heading", level=1)).to_have_text("Call not found")


async def test_a_lost_connection_pauses_the_call_and_it_resumes_after_call_join(
    cast: Cast,
) -> None:
    client, expert = cast.client_page, cast.expert_page
    await ring(cast)
    await answer(cast)

    # The client's network drops: its socket dies (the server notices within the ping
    # timeout) and the call pauses on both sides; when it comes back, it joins again.
    await client.context.set_offline(True)
    await call_state(expert, "paused")
    await expect(expert.locator("[data-role=reconnecting]")).to_be_visible()
    await client.context.set_offline(False)
    await call_state(client, "live")
    await call_state(expert, "live")
    await expect(expert.locator("[data-role=reconnecting]")).to_be_hidden()
    await remote_video_plays(expert)
    await client.get_by_label("Message").fill("Back again")
    await client.get_by_role("button", name="Send").click()
    await expect(expert.locator("[data-role=chat-log]")).to_contain_text("Back again")


async def test_call_now_in_a_category_reaches_an_online_expert(cast: Cast) -> None:
    client, expert = cast.client_page, cast.expert_page
    await client.goto("/")
    async with client.expect_navigation(url="**/call/*"):
        await client.get_by_role("button", name="Call now (Cooking)").click()
    await expect(expert.locator("[data-role=incoming]")).to_contain_text("Urgent help: Cooking")
    await answer(cast)
    await client.get_by_role("button", name="Hang up").click()
    await call_state(expert, "ended")


async def test_a_low_balance_warns_the_client_during_the_call(
    browse: Browse, site: Running, redis: aioredis.Redis
) -> None:
    expert = await expert_with_profile(site)
    expert_page = await browse.page()
    await go_online(expert_page, expert)
    client = await browse.page()
    await sign_up(client, "Short", "short@example.test")
    await client.goto("/wallet")
    await client.locator("#amount").fill("6")  # one minute at €6.00 / min: the least to start
    await client.locator("#topup-form button[type=submit]").click()
    await expect(client.locator("#balance")).to_have_attribute("data-balance-cents", "600")
    cast = Cast(browse, expert, expert_page, client)
    await ring(cast)
    async with expert_page.expect_navigation(url="**/call/*"):
        await expert_page.get_by_role("button", name="Accept").click()
    await call_state(client, "live")
    banner = client.locator("[data-role=balance-low]")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text("Your balance covers about")
    await expect(banner.get_by_role("link")).to_have_attribute("href", "/wallet")
    await client.get_by_role("button", name="Hang up").click()
    await call_state(expert_page, "ended")
    billing = (await billing_entries(redis))[0][1]
    await expect(client.locator("[data-role=summary-amount]")).to_have_attribute(
        "data-amount-cents", billing["amount_cents"]
    )


def _photo() -> bytes:
    """A real PNG, padded to 3 MiB after its end so that the upload takes a while."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue() + b"\0" * (3 * 1024 * 1024)


async def test_a_photo_shared_in_the_call_reaches_the_expert_with_a_preview(
    cast: Cast, tmp_path: Path
) -> None:
    client, expert = cast.client_page, cast.expert_page
    # Files on disk, as a person picks them: a buffer would cross Playwright's pipe and
    # stall the page long enough for its socket to miss the server's pings.
    photo = _photo()
    (tmp_path / "leaking tap.png").write_bytes(photo)
    (tmp_path / "huge.mov").write_bytes(b"\0" * (11 * 1024 * 1024))
    await ring(cast)
    await answer(cast)
    chooser = client.get_by_label("Share a photo or a file (up to 10 MB)")

    await chooser.set_input_files(tmp_path / "huge.mov")
    await expect(client.locator("[data-role=file-status]")).to_have_text(
        "huge.mov is too large (11 MB): files up to 10 MB can be shared."
    )

    await chooser.set_input_files(tmp_path / "leaking tap.png")
    await expect(client.locator("[data-role=file-status]")).to_have_text(
        "leaking tap.png is shared."
    )
    # The bar was driven by the upload's own progress events, up to the whole file.
    await expect(client.locator("[data-role=file-progress]")).to_have_js_property("value", 100)

    message = expert.locator("[data-role=chat-log] li.theirs")
    await expect(message).to_contain_text("leaking tap.png (3 MB)")
    preview = message.locator("img.chat-image")
    await expect(preview).to_have_attribute("alt", "leaking tap.png")
    await expert.wait_for_function(
        "() => document.querySelector('li.theirs img.chat-image')?.naturalWidth === 64"
    )
    async with expert.expect_download() as download_info:
        await message.get_by_role("link", name="leaking tap.png").click()
    download = await download_info.value
    assert download.suggested_filename == "leaking tap.png"
    assert (await download.path()).read_bytes() == photo
    await expect(client.locator("[data-role=chat-log] li.mine")).to_contain_text("leaking tap.png")

    await client.get_by_role("button", name="Hang up").click()
    await call_state(client, "ended")
    await expect(chooser).to_be_disabled()


async def test_a_refused_camera_explains_how_to_allow_it_and_the_call_still_works(
    cast: Cast,
) -> None:
    client = cast.client_page
    # What the browser answers when the person clicks "Block" on its camera prompt.
    await client.add_init_script("""
        navigator.mediaDevices.getUserMedia = () => Promise.reject(
            new DOMException("Permission denied", "NotAllowedError"));
    """)
    await ring(cast)
    banner = client.locator("[data-role=media-error]")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text("Your camera or microphone is blocked")
    await banner.locator("summary", has_text="How to allow the camera and microphone").click()
    await expect(banner.locator("[data-role=camera-help]")).to_contain_text("Chrome")

    await answer(cast)
    await remote_video_plays(client, cast.browse)  # the client still sees the expert

    # The device check before a call says the same, with the same help.
    await client.goto("/devices")
    await client.locator("[data-action=start]").click()
    await expect(client.locator("[data-role=devices-error]")).to_have_text(
        "Access to the camera or microphone was refused."
    )
    await expect(client.locator("[data-role=camera-help]")).to_be_visible()
