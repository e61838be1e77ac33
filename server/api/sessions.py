"""The caller's sessions: history, one session, and the files shared in a call
(participants only)."""

from __future__ import annotations

from contextlib import aclosing

from aiohttp import web

from blobs.store import CHUNK_BYTES
from common.errors import NotFound, TooLarge
from common.ids import looks_like_id
from common.schema import Text
from server.api.shapes import SESSION, SESSIONS, SHARED_FILE
from server.apidoc import Raw, described
from server.http import caller
from server.keys import CALLS, FILES
from sessions.errors import WrongState
from sessions.files import MAX_FILE_BYTES, content_disposition
from sessions.model import SessionView
from sessions.states import IN_CALL

routes = web.RouteTableDef()


@routes.get("/api/v1/sessions")
@described("The caller's sessions, as client or expert", answer=SESSIONS)
async def list_sessions(request: web.Request) -> web.Response:
    account = await caller(request)
    views, now = await request.app[CALLS].store.list_for(account.id)
    return web.json_response({"sessions": [view.public(now) for view in views]})


@routes.get("/api/v1/sessions/{session_id}")
@described("One session of the caller's", answer=SESSION)
async def get_session(request: web.Request) -> web.Response:
    _, view, now = await _as_participant(request)
    return web.json_response(view.public(now))


async def _as_participant(request: web.Request) -> tuple[str, SessionView, int]:
    """(account id, session, Redis time) when the caller takes part in the session."""
    account = await caller(request)
    session_id = request.match_info["session_id"]
    found = await request.app[CALLS].store.get(session_id) if looks_like_id(session_id) else None
    # Someone else's session answers exactly like a missing one: ids reveal nothing.
    if found is None or found[0].role_of(account.id) is None:
        raise NotFound("no such session")
    view, now = found
    return account.id, view, now


@routes.post("/api/v1/sessions/{session_id}/files")
@described("Share a file in a call: the raw file is the body, its name in ?name=",
           body=Raw("*/*", "the file"), query=[Text("name", max_len=200)], status=201,
           answer=SHARED_FILE)
async def share_file(request: web.Request) -> web.Response:
    # The raw file is the body (a browser sends it with progress events) and its name is
    # in the query. Strangers, ended calls and accounts over their quota or rate are
    # turned away before a byte of it is read; the bytes then stream to the blob store.
    account_id, session, _ = await _as_participant(request)
    if session.state not in IN_CALL:
        raise WrongState(f"files are shared during a call; this one is {session.state.value}")
    declared = request.content_length
    if declared is not None and declared > MAX_FILE_BYTES:
        raise TooLarge(f"the file is larger than {MAX_FILE_BYTES} bytes")
    message = await request.app[FILES].share(
        session.id, account_id, request.query.get("name", ""),
        request.content.iter_chunked(CHUNK_BYTES), declared,
    )
    return web.json_response({"session_id": session.id, **message}, status=201)


@routes.get("/api/v1/sessions/{session_id}/files/{file_id}")
@described("A file shared in the session (kept HELPCALL_RETENTION_DAYS)",
           answer=Raw("*/*", "the file"))
async def get_file(request: web.Request) -> web.StreamResponse:
    _, session, _ = await _as_participant(request)
    file_id = request.match_info["file_id"]
    found = (await request.app[FILES].open(session.id, file_id)
             if looks_like_id(file_id) else None)
    if found is None:
        raise NotFound("no such file (it expired or was deleted)")
    shared, chunks = found
    async with aclosing(chunks):
        response = web.StreamResponse(headers={
            "Content-Type": shared.content_type,
            "Content-Length": str(shared.size),
            "Content-Disposition": content_disposition(shared.name),
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            # Even opened directly, a file can run nothing on our origin.
            "Content-Security-Policy": "default-src 'none'; sandbox",
        })
        await response.prepare(request)
        if request.method != "HEAD":  # a HEAD answer has headers only, or the link breaks
            async for chunk in chunks:
                await response.write(chunk)
        await response.write_eof()
    return response
