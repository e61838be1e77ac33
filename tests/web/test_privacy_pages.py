"""The privacy pages in a browser: "My documents" (search, one file, the zip), a
transcript, and the privacy page reached from the footer in French."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from playwright.async_api import expect

from tests.conftest import Running
from tests.privacy.conftest import PNG, past_call
from tests.signaling.conftest import Connect, connect
from tests.web.conftest import Browse, log_in

__all__ = ["connect"]  # the socket fixture


async def test_my_documents_finds_downloads_and_zips_a_calls_files(
    browse: Browse, site: Running, connect: Connect, tmp_path: Path
) -> None:
    call = await past_call(site, connect)
    page = await browse.page()
    await log_in(page, call.client, "/login?next=/documents")
    await page.goto("/documents")
    rows = page.locator("[data-role=documents] tbody tr")
    assert await rows.count() == 3
    async with page.expect_download() as one:
        await page.get_by_role("link", name="leaking tap.png").click()
    path = tmp_path / "one.png"
    await (await one.value).save_as(path)
    assert path.read_bytes() == PNG

    # Searching by an expert who is not there empties the list; the expert's name finds it.
    await page.get_by_label("Expert").fill("Nobody Atall")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Search").click()
    assert await page.locator("[data-role=no-documents]").is_visible()
    await page.get_by_label("Expert").fill(call.expert.display_name)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Search").click()
    assert await rows.count() == 3
    async with page.expect_download() as everything:
        await page.get_by_role("link", name="Download all (zip)").click()
    zipped = tmp_path / "all.zip"
    await (await everything.value).save_as(zipped)
    names = zipfile.ZipFile(io.BytesIO(zipped.read_bytes())).namelist()
    assert any(n.endswith("leaking tap.png") for n in names) and len(names) == 3

    # The transcript, from the vault.
    async with page.expect_navigation():
        await page.get_by_role("link", name=f"chat-{call.session_id}.txt").click()
    transcript = page.locator("[data-role=transcript]")
    assert "turn the valve left" in await transcript.inner_text()
    assert await transcript.locator("li").count() == 3
    # My calls links to it too.
    await page.goto("/sessions")
    link = page.locator(f"tr[data-session-id='{call.session_id}'] [data-role=transcript]")
    assert await link.get_attribute("href") == f"/sessions/{call.session_id}/transcript"


async def test_the_privacy_page_is_a_footer_link_away_in_both_languages(
    browse: Browse, site: Running
) -> None:
    page = await browse.page(locale="fr-FR")
    await page.goto("/experts")
    async with page.expect_navigation():
        await page.locator("footer [data-role=privacy-link]").click()
    assert await page.get_by_role("heading", level=1).inner_text() == "Confidentialité"
    assert "365 jours" in await page.locator("[data-role=retention]").inner_text()
    await page.goto("/lang/en?next=/privacy")
    assert await page.get_by_role("heading", level=1).inner_text() == "Privacy"


async def test_settings_show_notes_about_me_and_delete_the_account(
    browse: Browse, site: Running, connect: Connect
) -> None:
    call = await past_call(site, connect)
    note = await site.client.put(f"/api/v1/sessions/{call.session_id}/note",
                                 json={"text": "likes detail"}, headers=call.expert.headers)
    assert note.status == 200
    page = await browse.page()
    await log_in(page, call.client, "/login?next=/settings")
    await page.goto("/settings")
    notes = page.locator("[data-role=notes-about-me] li")
    assert call.expert.display_name in await notes.inner_text()
    assert "likes detail" not in await page.content()
    async with page.expect_navigation():
        await page.get_by_role("button", name="Erase it").click()
    assert await page.locator("[data-role=no-notes]").is_visible()

    await page.get_by_label("Your password, to confirm").fill("not my password")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Delete my account for good").click()
    assert "The password is wrong" in await page.locator("#form-error").inner_text()
    await page.get_by_label("Your password, to confirm").fill("correct horse")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Delete my account for good").click()
    assert await page.get_by_role("heading", level=1).inner_text() == "Account deleted"
    answer = await site.client.get("/api/v1/me", headers=call.client.headers)
    assert answer.status == 401


async def test_the_expert_sees_their_note_when_the_same_client_calls_again(
    browse: Browse, site: Running, connect: Connect
) -> None:
    call = await past_call(site, connect)
    note = await site.client.put(f"/api/v1/sessions/{call.session_id}/note",
                                 json={"text": "prefers French"}, headers=call.expert.headers)
    assert note.status == 200
    page = await browse.page()
    await log_in(page, call.expert, "/login?next=/console")
    await page.goto("/console")
    await call.client_socket.ok("call:start", {"expert_id": call.expert.id, "topic": "again"})
    banner = page.locator("[data-role=incoming]")
    await expect(banner.locator("[data-field=note]")).to_have_text("Your note: prefers French")
