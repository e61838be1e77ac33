"""Every message of protocol §7.5 as its reader gets it: language, parts, invite, links."""

from __future__ import annotations

from email.message import EmailMessage

import redis.asyncio as aioredis

from common.timefmt import iso_ms
from tests.appointments.conftest import (
    booked,
    expert_with_hours,
    hours_around,
    set_hours,
    soon,
)
from tests.appointments.conftest import funded_client as booking_client
from tests.conftest import Running, User
from tests.mail.conftest import PUBLIC_URL, MailApp
from tests.mailbox import Inbox, body, links, part, path_of, subject
from tests.signaling.conftest import Connect, connect, funded_client, online_expert
from tests.waiting import eventually

__all__ = ["connect"]

DAY_MS = 86_400_000


async def speaks(running: Running, user: User, language: str) -> None:
    answer = await running.client.patch("/api/v1/me", json={"language": language},
                                        headers=user.headers)
    assert answer.status == 200, await answer.text()


def only(inbox: Inbox, user: User, subject_part: str) -> EmailMessage:
    found = inbox.to(user.email, subject_part)
    assert len(found) == 1, [subject(m) for m in inbox.to(user.email)]
    return found[0]


def invite(message: EmailMessage) -> tuple[str, str]:
    """The attached calendar's text and its iTIP method."""
    calendar = part(message, "text/calendar")
    text = calendar.get_content()
    assert isinstance(text, str)
    return text, str(calendar.get_param("method"))


async def test_a_booking_made_moved_and_cancelled_is_mailed_to_both_with_the_invite(
    mailing: Running, inbox: Inbox
) -> None:
    start = soon(DAY_MS / 1000)
    expert = await expert_with_hours(mailing, **hours_around(start, 120))
    client = await booking_client(mailing)
    await speaks(mailing, client, "fr")
    booking = await booked(mailing, client, expert, start, 30, topic="Pain au levain")

    await inbox.wait_for(lambda: inbox.to(client.email, "Rendez-vous réservé")
                         and inbox.to(expert.email, "Appointment booked"), "both confirmations")
    french = only(inbox, client, "Rendez-vous réservé")
    english = only(inbox, expert, "Appointment booked")
    assert "Pain au levain" in subject(french)
    assert french["Content-Language"] == "fr" and english["Content-Language"] == "en"
    for message, other in ((french, expert.display_name), (english, client.display_name)):
        assert other in body(message) and other in body(message, "text/html")
        ics, method = invite(message)
        assert method == "REQUEST"
        assert "METHOD:REQUEST" in ics and f"UID:{booking['id']}@helpcall" in ics
        assert "SEQUENCE:0" in ics and "ORGANIZER" in ics
        assert f"mailto:{client.email}" in ics and f"mailto:{expert.email}" in ics
        assert f"{PUBLIC_URL}/appointments/{booking['id']}" in links(message)
    assert "List-Unsubscribe" not in french  # a booking is not optional mail

    later = start + 60 * 60_000
    path = f"/api/v1/bookings/{booking['id']}/reschedule"
    proposed = await mailing.client.post(path, json={"start": iso_ms(later)},
                                         headers=client.headers)
    assert proposed.status == 200, await proposed.text()
    accepted = await mailing.client.post(path + "/accept", headers=expert.headers)
    assert accepted.status == 200, await accepted.text()
    await inbox.wait_for(lambda: inbox.to(client.email, "Rendez-vous déplacé")
                         and inbox.to(expert.email, "Appointment moved"), "both moves")
    for message in (only(inbox, client, "déplacé"), only(inbox, expert, "moved")):
        ics, method = invite(message)
        assert method == "REQUEST" and "SEQUENCE:1" in ics

    cancelled = await mailing.client.post(f"/api/v1/bookings/{booking['id']}/cancel",
                                          headers=expert.headers)
    assert cancelled.status == 200, await cancelled.text()
    await inbox.wait_for(lambda: inbox.to(client.email, "Rendez-vous annulé")
                         and inbox.to(expert.email, "Appointment cancelled"), "both cancels")
    for message in (only(inbox, client, "annulé"), only(inbox, expert, "cancelled")):
        ics, method = invite(message)
        assert method == "CANCEL" and "METHOD:CANCEL" in ics
        assert "STATUS:CANCELLED" in ics and "SEQUENCE:2" in ics


async def test_reminders_reach_both_sides_once_and_can_be_turned_off(
    mail_app: MailApp, inbox: Inbox
) -> None:
    running = await mail_app(HELPCALL_BOOKING_REMINDER_SECONDS="3,2")
    expert = await expert_with_hours(running)
    client = await booking_client(running)
    await speaks(running, expert, "fr")
    start = soon(5)
    await set_hours(running, expert, **hours_around(start, 15))
    await booked(running, client, expert, start)

    await inbox.wait_for(lambda: len(inbox.to(client.email, "Reminder")) == 2
                         and len(inbox.to(expert.email, "Rappel")) == 2, "four reminders")
    reminder = inbox.to(client.email, "Reminder")[0]
    unsubscribe = str(reminder["List-Unsubscribe"]).strip("<>")
    assert unsubscribe.startswith(PUBLIC_URL + "/mail/unsubscribe/")
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in body(reminder) and unsubscribe in body(reminder, "text/html")
    # One click, as a mail client does it (RFC 8058): no cookie, no CSRF token.
    clicked = await running.client.post(path_of(unsubscribe),
                                        data="List-Unsubscribe=One-Click")
    assert clicked.status == 200
    me = await (await running.client.get("/api/v1/me", headers=client.headers)).json()
    assert me["mail_preferences"] == {"reminders": False, "notices": True}
    forged = await running.client.post(path_of(unsubscribe)[:-3] + "abc")
    assert forged.status == 404

    inbox.messages.clear()
    other = await expert_with_hours(running)
    second = soon(5)
    await set_hours(running, other, **hours_around(second, 15))
    await booked(running, client, other, second)
    await inbox.wait_for(lambda: len(inbox.to(other.email, "Reminder")) == 2, "its reminders")
    assert not inbox.to(client.email, "Reminder")  # turned off: never queued


async def test_a_missed_call_is_mailed_to_the_expert(
    mail_app: MailApp, inbox: Inbox, connect: Connect
) -> None:
    running = await mail_app(HELPCALL_RING_SECONDS="0.3")
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "Levain"})
    await client_socket.state("ended")
    await inbox.wait_for(lambda: inbox.to(expert.email, "missed a call"), "the missed call")
    message = only(inbox, expert, "missed a call")
    assert client.display_name in subject(message)
    assert "Levain" in body(message)
    assert f"{PUBLIC_URL}/console" in links(message)
    assert str(message["List-Unsubscribe"]).startswith(f"<{PUBLIC_URL}/mail/unsubscribe/")


async def test_a_paid_call_sends_the_client_a_receipt(
    mail_app: MailApp, inbox: Inbox, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await mail_app(HELPCALL_GUARANTEE_SECONDS="0")
    expert, expert_socket = await online_expert(
        running, connect, {"mode": "per_session", "amount_cents": 2500})
    client, client_socket = await funded_client(running, connect)
    await speaks(running, client, "fr")
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "Pain"})
    session_id = started["session_id"]
    await expert_socket.ok("call:accept", {"session_id": session_id})
    for socket in (client_socket, expert_socket):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    await client_socket.state("live")

    async def live_for_a_second() -> bool:  # a call is charged from its first whole second
        answer = await running.client.get(f"/api/v1/sessions/{session_id}",
                                          headers=client.headers)
        return bool((await answer.json())["live_seconds"] >= 1)

    await eventually(live_for_a_second, what="one live second")
    await client_socket.ok("call:hangup", {"session_id": session_id})
    await inbox.wait_for(lambda: inbox.to(client.email, "reçu"), "the receipt")
    message = only(inbox, client, "reçu")
    assert "25,00 €" in subject(message)
    assert expert.display_name in body(message)
    assert f"{PUBLIC_URL}/sessions/{session_id}/receipt" in links(message)
    assert "List-Unsubscribe" not in message
    assert not inbox.to(expert.email, "receipt")


async def test_callback_requests_and_reviews_are_mailed_to_experts(
    mail_app: MailApp, inbox: Inbox, connect: Connect
) -> None:
    running = await mail_app(HELPCALL_GUARANTEE_SECONDS="0")
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    left = await running.client.post("/api/v1/callbacks", headers=client.headers,
                                     json={"category": "cooking", "topic": "Brioche"})
    assert left.status == 201, await left.text()
    await inbox.wait_for(lambda: inbox.to(expert.email, "called back"), "the callback request")
    assert "Brioche" in subject(only(inbox, expert, "called back"))

    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "x"})
    session_id = started["session_id"]
    await expert_socket.ok("call:accept", {"session_id": session_id})
    for socket in (client_socket, expert_socket):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    await client_socket.state("live")
    await client_socket.ok("call:hangup", {"session_id": session_id})
    await client_socket.state("ended")
    review = await running.client.post(f"/api/v1/sessions/{session_id}/review",
                                       json={"rating": 4, "text": "Clear <and> kind"},
                                       headers=client.headers)
    assert review.status == 201, await review.text()
    await inbox.wait_for(lambda: inbox.to(expert.email, "New review"), "the review mail")
    message = only(inbox, expert, "New review")
    assert "4/5" in subject(message)
    assert "Clear <and> kind" in body(message)
    assert "Clear &lt;and&gt; kind" in body(message, "text/html")


async def test_a_brand_invitation_is_mailed_with_a_link_to_its_page(
    mailing: Running, inbox: Inbox
) -> None:
    from tests.brands.conftest import brand_admin, new_brand
    from tests.marketplace.conftest import admin

    platform = await admin(mailing)
    await new_brand(mailing, platform, "boulange", name="La Boulange")
    inviter = await brand_admin(mailing, platform, "boulange")
    await speaks(mailing, inviter, "fr")
    answer = await mailing.client.post("/api/v1/brands/boulange/invitations",
                                       json={"email": "Baker@Example.test"},
                                       headers=inviter.headers)
    assert answer.status == 201, await answer.text()
    created = await answer.json()
    assert created["accept_url"] == f"{PUBLIC_URL}/invitations/{created['token']}"
    assert created["mailed_to"] == "baker@example.test"
    await inbox.wait_for(lambda: inbox.to("baker@example.test"), "the invitation")
    [message] = inbox.to("baker@example.test")
    assert subject(message) == "La Boulange vous invite à aider ses clients sur helpcall"
    assert created["accept_url"] in links(message)
    page = await mailing.client.get(path_of(created["accept_url"]))
    assert page.status == 200 and "La Boulange" in await page.text()


async def test_a_dispute_is_mailed_as_it_goes_opened_answered_decided(
    mail_app: MailApp, inbox: Inbox, connect: Connect
) -> None:
    from tests.marketplace.conftest import admin
    from tests.trust.conftest import called, pair

    running = await mail_app(HELPCALL_GUARANTEE_SECONDS="0")
    people = await pair(running, connect)
    await speaks(running, people.expert, "fr")
    session_id = await called(running, people)
    path = f"/api/v1/sessions/{session_id}/dispute"
    receipt = f"{PUBLIC_URL}/sessions/{session_id}/receipt"

    opened = await running.client.post(path, headers=people.client.headers, json={
        "reason": "poor_quality", "text": "The picture froze."})
    assert opened.status == 201, await opened.text()
    await inbox.wait_for(lambda: inbox.to(people.expert.email, "conteste"), "the expert's mail")
    to_expert = only(inbox, people.expert, "conteste")
    assert receipt in links(to_expert)
    assert not inbox.to(people.client.email, "dispute")  # the client knows: they opened it

    answered = await running.client.post(path + "/answer", headers=people.expert.headers,
                                         json={"text": "The network was bad."})
    assert answered.status == 200, await answered.text()
    await inbox.wait_for(lambda: inbox.to(people.client.email, "answered your dispute"),
                         "the client's mail")

    boss = await admin(running)
    decided = await running.client.post(
        f"/api/v1/admin/disputes/{session_id}/decision", headers=boss.headers,
        json={"outcome": "partial", "refund_cents": 5})
    assert decided.status == 200, await decided.text()
    await inbox.wait_for(lambda: inbox.to(people.client.email, "has been decided")
                         and inbox.to(people.expert.email, "tranchée"), "both decisions")
    english = body(only(inbox, people.client, "has been decided"))
    assert "€0.05 goes back to the wallet that paid" in english
    french = body(only(inbox, people.expert, "tranchée"))
    assert "0,05 € revient au porte-monnaie qui a payé" in french
