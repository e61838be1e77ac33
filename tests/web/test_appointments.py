"""Appointments in real browsers: the expert's hours, the slot picker in the client's own
time zone, booking, "My appointments", the calendar feed, and live notifications."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Page, expect

from tests.conftest import Running, User
from tests.web.calls import expert_with_profile
from tests.web.conftest import Browse, log_in
from tests.web.test_pages import _fits, log_in_french

CLIENT_ZONE = "America/New_York"
ALL_DAY = {day: [{"start": "00:00", "end": "24:00"}]
           for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def _funded_client(site: Running, name: str, cents: int = 50_000) -> User:
    client = await site.user("client", name=name)
    topup = await site.client.post(
        "/api/v1/wallet/topups", json={"amount_cents": cents}, headers=client.headers
    )
    assert topup.status == 201, await topup.text()
    return client


async def _hours_in_french(page: Page) -> None:
    """The expert fills the availability editor, in French, with the keyboard."""
    await page.goto("/console/availability")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Horaires de rendez-vous")
    await expect(page.locator("#hours-form")).to_have_attribute("aria-busy", "false")
    await page.get_by_label("Votre fuseau horaire").fill("Europe/Paris")
    for day in ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"):
        await page.get_by_label(day, exact=True).fill("00:00-24:00")
    await page.get_by_label("30 min").check()
    await page.get_by_label("Délai minimum (heures)").fill("1")
    await page.get_by_label("Dimanche", exact=True).press("Enter")  # submits the form
    await expect(page.locator("[data-role=hours-status]")).to_have_text(
        "Vos horaires sont enregistrés."
    )


async def test_a_slot_booked_in_the_clients_zone_shows_in_my_appointments_then_is_cancelled(
    browse: Browse, site: Running
) -> None:
    expert = await expert_with_profile(site)
    expert_page = await browse.page(locale="fr-FR")
    await log_in_french(expert_page, expert.email)
    await _hours_in_french(expert_page)
    saved = await site.client.get("/api/v1/experts/me/availability", headers=expert.headers)
    hours = await saved.json()
    assert hours["time_zone"] == "Europe/Paris" and hours["lengths"] == [30]
    assert hours["weekly"]["mon"] == [{"start": "00:00", "end": "24:00"}]
    await expert_page.goto("/notifications")  # listens for notifications while the client books

    client_user = await _funded_client(site, "Zoé")
    client = await browse.page(timezone_id=CLIENT_ZONE)
    await log_in(client, client_user)
    await client.goto(f"/experts/{expert.id}")
    booking = client.locator("#booking")
    await expect(booking).to_be_visible()
    await expect(booking).to_contain_text(f"Times are shown in your time zone: {CLIENT_ZONE}.")
    # The next day's times: today's can be down to one after 22:30 in New York (slots start
    # an hour of notice from now), the day after has them all.
    await booking.locator("#slot-day").select_option(index=1)
    first = booking.locator("input[name=slot]").first
    await expect(first).to_be_attached()
    start = await first.get_attribute("value")
    assert start is not None
    wall = datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(ZoneInfo(CLIENT_ZONE))
    local_start = await first.get_attribute("data-local-start")
    assert local_start is not None and local_start.endswith(wall.strftime("%z")[:3] + ":00")
    label = booking.locator("label[for=slot-0]")
    await expect(label).to_contain_text(wall.strftime("%H:%M"))

    # Keyboard: focus the first time, move to the second with an arrow key.
    await first.focus()
    await client.keyboard.press("Space")
    await client.keyboard.press("ArrowRight")
    second = booking.locator("input[name=slot]").nth(1)
    await expect(second).to_be_checked()
    start = await second.get_attribute("value")
    assert start is not None
    wall = datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(ZoneInfo(CLIENT_ZONE))
    await expect(booking.locator("[data-role=book-summary]")).to_contain_text("€180.00")
    await booking.get_by_label("What is the appointment about?").fill("Béchamel lumps")
    async with client.expect_navigation(url="**/appointments/*"):
        await booking.get_by_role("button", name="Book this time").click()

    card = client.locator(".booking-card").first
    await expect(card).to_have_attribute("data-state", "booked")
    await expect(card).to_be_focused()
    await expect(card.locator("[data-role=when]")).to_have_attribute("data-start", start)
    await expect(card.locator("[data-role=when]")).to_contain_text(wall.strftime("%H:%M"))
    await expect(card).to_contain_text("Marie Curie")
    await expect(card).to_contain_text("€180.00")
    # Too early to join: a quiet, disabled Join that says when the call opens.
    join = card.get_by_role("button", name="Join")
    await expect(join).to_have_attribute("aria-disabled", "true")
    await expect(join).to_have_class("button-secondary")
    opens = (wall - timedelta(minutes=5)).strftime("%H:%M")
    await expect(card.locator(".join-wait")).to_contain_text("The call opens at")
    await expect(card.locator(".join-wait")).to_contain_text(opens)
    await expect(join).to_have_accessible_description(re.compile("5 minutes before the start"))
    async with client.expect_download() as download_info:
        await card.get_by_role("link", name="Add to my calendar (.ics)").click()
    invite = (await (await download_info.value).path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in invite and "Béchamel lumps" in invite

    # The expert hears of it live, in French, and finds it in the list.
    notice = expert_page.locator(".toast[data-kind=notification]")
    await expect(notice).to_contain_text("Nouveau rendez-vous avec Zoé")
    await expect(expert_page.locator(".notice").first).to_contain_text("Béchamel lumps")
    await expect(expert_page.locator(".notice.unread")).to_have_count(1)  # new while shown
    await expert_page.goto("/appointments")
    # Seen on the list, so read: no unread count in the navigation on the next page.
    await expect(expert_page.locator("[data-role=unread]")).to_be_hidden()
    await expect(expert_page.get_by_role("heading", level=1)).to_have_text("Mes rendez-vous")
    expert_card = expert_page.locator(".booking-card").first
    await expect(expert_card.locator("[data-role=state]")).to_have_text("Réservé")
    await expect(expert_card).to_contain_text("Zoé")

    await card.get_by_role("button", name="Cancel the appointment").click()
    await expect(card).to_have_attribute("data-state", "cancelled")
    await expect(card.locator("[data-role=state]")).to_have_text("Cancelled")
    # The money is shown as given back (less a late fee, if any), no longer as held.
    await expect(card).to_contain_text("Returned to your wallet")
    await expect(card).not_to_contain_text("Held from your wallet")
    await expect(expert_page.locator(".toast[data-kind=notification]").last).to_contain_text(
        "a été annulé"
    )
    # Not on the list this time: the navigation counts it, and the list shows it as new.
    unread = expert_page.get_by_role("link", name="Notifications 1 à lire")
    await expect(unread).to_be_visible()
    await unread.click()
    await expect(expert_page.locator(".notice.unread")).to_have_count(1)
    await expect(expert_page.locator(".notice.unread")).to_contain_text("Nouveau")
    await expect(expert_page.locator("[data-role=unread]")).to_be_hidden()
    await expert_page.reload()
    await expect(expert_page.locator(".notice").first).to_contain_text("a été annulé")
    await expect(expert_page.locator(".notice.unread")).to_have_count(0)
    wallet = await site.client.get("/api/v1/wallet", headers=client_user.headers)
    assert (await wallet.json())["held_cents"] == 0  # cancelled early: all released


async def test_a_new_time_proposed_by_the_expert_is_accepted_by_the_client(
    browse: Browse, site: Running
) -> None:
    expert = await expert_with_profile(site)
    put = await site.client.put(
        "/api/v1/experts/me/availability",
        json={"time_zone": "Europe/Paris", "weekly": ALL_DAY, "lengths": [30]},
        headers=expert.headers,
    )
    assert put.status == 200, await put.text()
    client_user = await _funded_client(site, "Zoé")
    slots = await (await site.client.get(f"/api/v1/experts/{expert.id}/slots")).json()
    first, later = slots["slots"][0], slots["slots"][4]
    made = await site.client.post("/api/v1/bookings", headers=client_user.headers, json={
        "expert_id": expert.id, "start": first["start"], "length_minutes": 30, "topic": "Gravy"})
    assert made.status == 201, await made.text()

    expert_page = await browse.page(timezone_id="Europe/Paris")
    await log_in(expert_page, expert)
    await expert_page.goto("/appointments")
    card = expert_page.locator(".booking-card").first
    await card.get_by_text("Propose another time").click()
    wall = datetime.fromisoformat(later["start"].replace("Z", "+00:00"))
    paris = wall.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%dT%H:%M")
    await card.get_by_label("New start (your time)").fill(paris)
    await card.get_by_role("button", name="Send the proposal").click()
    await expect(card.locator("[data-role=reschedule]")).to_contain_text("You proposed a new time")

    client = await browse.page(timezone_id=CLIENT_ZONE)
    await log_in(client, client_user)
    await client.goto("/appointments")
    mine = client.locator(".booking-card").first
    await expect(mine.locator("[data-role=reschedule]")).to_contain_text("proposes a new time")
    await mine.get_by_role("button", name="Accept the new time").click()
    await expect(mine.locator("[data-role=when]")).to_have_attribute("data-start", later["start"])
    await expect(mine.locator("[data-role=reschedule]")).to_have_count(0)


async def test_the_private_calendar_link_is_made_and_revoked(
    browse: Browse, site: Running
) -> None:
    user = await site.user("client")
    page = await browse.page()
    await log_in(page, user)
    await page.goto("/appointments")
    await expect(page.locator("#booking-list")).to_contain_text("No appointment yet")
    await page.get_by_role("button", name="Create my calendar link").click()
    url = page.get_by_label("Calendar link", exact=True)
    await expect(url).not_to_have_value("")
    old = await url.input_value()
    assert old.startswith(f"{site.url}/calendar/") and old.endswith(".ics")
    assert (await page.request.get(old)).status == 200
    await page.get_by_role("button", name="Revoke this link (and make a new one)").click()
    await expect(page.locator("[data-role=feed-status]")).to_have_text(
        "The old link no longer works. Here is the new one."
    )
    await expect(url).not_to_have_value(old)
    assert (await page.request.get(old)).status == 404
    assert (await page.request.get(await url.input_value())).status == 200


async def test_the_new_pages_fit_a_375_pixel_screen(browse: Browse, site: Running) -> None:
    expert = await expert_with_profile(site)
    put = await site.client.put(
        "/api/v1/experts/me/availability",
        json={"time_zone": "Europe/Paris", "weekly": ALL_DAY, "lengths": [30, 60]},
        headers=expert.headers,
    )
    assert put.status == 200, await put.text()
    client_user = await _funded_client(site, "Zoé Long-Named Client of the Test Suite")
    slots = await (await site.client.get(f"/api/v1/experts/{expert.id}/slots")).json()
    made = await site.client.post("/api/v1/bookings", headers=client_user.headers, json={
        "expert_id": expert.id, "start": slots["slots"][0]["start"], "length_minutes": 30,
        "topic": "A rather long topic: how to make a béchamel without any lumps at all"})
    assert made.status == 201, await made.text()
    favourite = await site.client.put(f"/api/v1/favourites/{expert.id}",
                                      headers=client_user.headers)
    assert favourite.status == 204

    client = await browse.page(width=375, height=740, timezone_id=CLIENT_ZONE)
    await log_in(client, client_user)
    for path in ["/favourites", "/appointments", "/notifications", f"/experts/{expert.id}"]:
        await _fits(client, path)
    await expect(client.locator("#booking")).to_be_visible()
    expert_page = await browse.page(width=375, height=740, locale="fr-FR")
    await log_in_french(expert_page, expert.email)
    for path in ["/console/availability", "/appointments", "/notifications", "/console"]:
        await _fits(expert_page, path)


async def test_both_sides_join_a_booked_call_at_its_time_and_it_goes_live(
    browse: Browse, site: Running
) -> None:
    from tests.appointments.conftest import booked, hours_around, soon

    expert = await expert_with_profile(site)
    start = soon(60)  # the call is open: it starts in a minute
    put = await site.client.put(
        "/api/v1/experts/me/availability",
        json={**hours_around(start, 15), "weekly": {}, "lengths": [15], "min_notice_seconds": 0},
        headers=expert.headers,
    )
    assert put.status == 200, await put.text()
    client_user = await _funded_client(site, "Zoé")
    booking = await booked(site, client_user, expert, start)

    client = await browse.page()
    await log_in(client, client_user)
    await client.goto("/appointments")
    async with client.expect_navigation(url="**/call/*"):
        await client.locator(f".booking-card[data-booking-id='{booking['id']}']").get_by_role(
            "button", name="Join").click()
    await expect(client.locator("[data-call-state]")).to_have_attribute(
        "data-call-state", "ringing")

    expert_page = await browse.page()
    await log_in(expert_page, expert)
    await expert_page.goto("/appointments")
    async with expert_page.expect_navigation(url="**/call/*"):
        await expert_page.locator(".booking-card").first.get_by_role("button", name="Join").click()
    for page in (client, expert_page):
        await expect(page.locator("[data-call-state]")).to_have_attribute(
            "data-call-state", "live", timeout=20_000)
    state = await site.client.get(f"/api/v1/bookings/{booking['id']}", headers=client_user.headers)
    assert (await state.json())["state"] == "attended"


async def test_an_expert_opening_a_booked_call_rings_the_client_wherever_they_are(
    browse: Browse, site: Running
) -> None:
    from tests.appointments.conftest import booked, hours_around, soon

    expert = await expert_with_profile(site)
    start = soon(60)
    put = await site.client.put(
        "/api/v1/experts/me/availability",
        json={**hours_around(start, 15), "weekly": {}, "lengths": [15], "min_notice_seconds": 0},
        headers=expert.headers,
    )
    assert put.status == 200, await put.text()
    client_user = await _funded_client(site, "Zoé")
    await booked(site, client_user, expert, start)
    client = await browse.page()
    await log_in(client, client_user)
    await client.goto("/wallet")

    expert_page = await browse.page()
    await log_in(expert_page, expert)
    await expert_page.goto("/appointments")
    async with expert_page.expect_navigation(url="**/call/*"):
        await expert_page.locator(".booking-card").first.get_by_role("button", name="Join").click()

    ringing = client.locator(".toast[data-kind=booking-call]")
    await expect(ringing).to_contain_text("Marie Curie is calling for your appointment.")
    async with client.expect_navigation(url="**/call/*"):
        await ringing.get_by_role("button", name="Answer").click()
    for page in (client, expert_page):
        await expect(page.locator("[data-call-state]")).to_have_attribute(
            "data-call-state", "live", timeout=20_000)


async def test_the_profile_shows_how_reliable_the_expert_is(browse: Browse, site: Running) -> None:
    from tests.appointments.conftest import booked, hours_around, soon

    expert = await expert_with_profile(site)
    start = soon(60)
    put = await site.client.put(
        "/api/v1/experts/me/availability",
        json={**hours_around(start, 15), "weekly": {}, "lengths": [15], "min_notice_seconds": 0},
        headers=expert.headers,
    )
    assert put.status == 200, await put.text()
    client_user = await _funded_client(site, "Zoé")
    booking = await booked(site, client_user, expert, start)
    # Both join (as booking:join does): the appointment is kept.
    from server.keys import APPOINTMENTS

    for who in (client_user, expert):
        await site.app[APPOINTMENTS].mark_joined(booking["id"], who.id)
    page = await browse.page()
    await page.goto(f"/experts/{expert.id}")
    await expect(page.locator("[data-field=reliability]")).to_have_text("Kept 1 of 1 appointments")


async def test_extra_hours_are_written_one_date_per_line(browse: Browse, site: Running) -> None:
    expert = await expert_with_profile(site)
    page = await browse.page()
    await log_in(page, expert)
    await page.goto("/console/availability")
    await expect(page.locator("#hours-form")).to_have_attribute("aria-busy", "false")
    await page.get_by_label("Your time zone").fill("Europe/Paris")
    await page.get_by_label("30 min").check()
    extra = page.get_by_label("Extra hours (one date per line)")

    await extra.fill("Christmas eve, mornings")
    await page.get_by_role("button", name="Save my hours").click()
    await expect(page.locator("#hours-error")).to_contain_text("one date per line")
    await expect(extra).to_be_focused()

    await extra.fill("2030-12-24 09:00-12:00, 14:00-16:00\n2030-12-31 10:00-11:30")
    await page.get_by_role("button", name="Save my hours").click()
    await expect(page.locator("[data-role=hours-status]")).to_have_text("Your hours are saved.")
    saved = await site.client.get("/api/v1/experts/me/availability", headers=expert.headers)
    assert (await saved.json())["extra_hours"] == [
        {"date": "2030-12-24", "start": "09:00", "end": "12:00"},
        {"date": "2030-12-24", "start": "14:00", "end": "16:00"},
        {"date": "2030-12-31", "start": "10:00", "end": "11:30"},
    ]
    await page.reload()
    await expect(extra).to_have_value("2030-12-24 09:00-12:00, 14:00-16:00\n2030-12-31 10:00-11:30")
