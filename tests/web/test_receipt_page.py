"""The printable receipt page, in English and French; strangers see page-not-found."""

from __future__ import annotations

from accounts.tokens import COOKIE_NAME
from tests.conftest import Running, StartApp, User
from tests.sessions.test_receipt import call_with_a_pause
from tests.signaling.conftest import Connect, connect

__all__ = ["connect"]  # the socket fixture


async def page(running: Running, user: User, path: str, language: str = "en") -> tuple[int, str]:
    running.client.session.cookie_jar.update_cookies({COOKIE_NAME: user.token, "lang": language})
    answer = await running.client.get(path, allow_redirects=False)
    return answer.status, await answer.text()


async def test_the_receipt_page_in_both_languages(start_app: StartApp, connect: Connect) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    client, expert, session_id = await call_with_a_pause(running, connect)
    path = f"/sessions/{session_id}/receipt"
    receipt = await (await running.client.get(f"/api/v1/sessions/{session_id}/receipt",
                                              headers=client.headers)).json()

    status, html = await page(running, client, path)
    assert status == 200
    assert 'data-copy="client"' in html and "Receipt" in html
    assert "Paused: the client reported the sound and picture lost" in html
    assert f"Billed time: {receipt['billed_seconds']} s" in html
    assert 'data-role="rate">€6.00 / min<' in html
    assert html.count('data-role="span"') == 2
    assert 'data-role="payout"' not in html

    status, html = await page(running, client, path, "fr")
    assert status == 200 and "Reçu" in html
    assert "En pause : le client a signalé la perte du son et de l&#39;image" in html
    assert f"Temps facturé : {receipt['billed_seconds']} s" in html

    status, html = await page(running, expert, path)
    assert status == 200 and 'data-copy="expert"' in html and 'data-role="payout"' in html

    stranger = await running.user("client")
    status, html = await page(running, stranger, path)
    assert status == 404 and 'data-problem="not_found"' in html
    running.client.session.cookie_jar.clear()
    answer = await running.client.get(path, allow_redirects=False)
    assert answer.status in (302, 303)
