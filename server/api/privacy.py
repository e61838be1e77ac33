"""The vault and the notes: a person's documents, a session's transcript, and the
private notes an expert keeps on a client (docs/privacy.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from accounts.models import Role
from common.errors import NotFound
from common.ids import looks_like_id
from common.schema import Body, Text
from common.timefmt import iso_ms
from privacy.notes import MAX_NOTE_CHARS, clean_note
from privacy.vault import VaultQuery
from privacy.zipstream import ZipStream
from server.api.sessions import _as_participant
from server.apidoc import (
    BOOLEAN,
    ID,
    INTEGER,
    STRING,
    TIME,
    Raw,
    array,
    described,
    enum,
    nullable,
    obj,
)
from server.http import caller, caller_with_role, read_json
from server.keys import ACCOUNTS, NOTES, VAULT

routes = web.RouteTableDef()

VAULT_QUERY = [Text("expert", required=False, max_len=100), Text("from", required=False,
               max_len=10, sample="2026-01-31"), Text("to", required=False, max_len=10,
                                                       sample="2026-12-31")]
DOCUMENT = obj(kind=enum("file", "transcript", "receipt", "invite"), name=STRING, at=TIME,
               expert=obj(id=ID, display_name=STRING), session_id=nullable(ID),
               booking_id=nullable(ID), size=nullable(INTEGER), content_type=nullable(STRING),
               url=STRING)
# A chat message; ``file`` when it carries a shared file, ``erased`` once its sender's
# account was erased (docs/privacy.md).
MESSAGE = obj("file", "erased", message_id=STRING, at=TIME, text=STRING, erased=BOOLEAN,
              file=obj(file_id=ID, name=STRING, size=INTEGER, content_type=STRING, url=STRING),
              **{"from": ID})
NOTE = obj(client_id=ID, text=STRING, updated_at=nullable(TIME))
NOTE_BODY = Body(Text("text", max_len=MAX_NOTE_CHARS, strip=False,
                      description="the note; empty erases it"))


@routes.get("/api/v1/me/documents")
@described("The caller's documents: files shared in their calls, transcripts, receipts and "
           "booking invites, newest first", query=VAULT_QUERY,
           answer=obj(documents=array(DOCUMENT)))
async def list_documents(request: web.Request) -> web.Response:
    account = await caller(request)
    found = await request.app[VAULT].listing(account.id, VaultQuery.parse(request.query))
    return web.json_response({"documents": [d.public() for d in found]})


@routes.get("/api/v1/me/documents.zip")
@described("The same documents, all in one zip", query=VAULT_QUERY,
           answer=Raw("application/zip", "the documents"))
async def zip_documents(request: web.Request) -> web.StreamResponse:
    account = await caller(request)
    query = VaultQuery.parse(request.query)
    return await stream_zip(request, "helpcall-documents.zip", lambda out: request.app[
        VAULT].write_documents(account.id, query, out))


async def stream_zip(request: web.Request, filename: str,
                     fill: Callable[[ZipStream], Awaitable[object]]) -> web.StreamResponse:
    """A zip answer, written while it is made (``fill(out)`` adds the entries)."""
    response = web.StreamResponse(headers={
        "Content-Type": "application/zip",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })
    await response.prepare(request)
    out = ZipStream(response.write)
    await fill(out)
    await out.close()
    await response.write_eof()
    return response


@routes.get("/api/v1/sessions/{session_id}/chat")
@described("A session's chat transcript, kept after the call (its participants)",
           answer=obj(session_id=ID, messages=array(MESSAGE)))
async def get_transcript(request: web.Request) -> web.Response:
    account = await caller(request)
    record, _ = await request.app[VAULT].transcript(request.match_info["session_id"], account.id)
    return web.json_response({"session_id": record.view.id, "messages": record.chat})


async def _as_expert_of(request: web.Request) -> tuple[str, str]:
    """(expert, client) of a session the caller is the expert of."""
    account_id, view, _ = await _as_participant(request)
    if view.role_of(account_id) != "expert":
        raise NotFound("no note here: notes are kept by the expert of a call")
    return account_id, view.client_id


@routes.get("/api/v1/sessions/{session_id}/note")
@described("The expert's private note on this session's client (the expert only)",
           answer=NOTE)
async def get_session_note(request: web.Request) -> web.Response:
    expert_id, client_id = await _as_expert_of(request)
    return web.json_response((await request.app[NOTES].get(expert_id, client_id)).public())


@routes.put("/api/v1/sessions/{session_id}/note")
@described("Write the expert's private note on this session's client (empty text erases)",
           body=NOTE_BODY, answer=NOTE)
async def put_session_note(request: web.Request) -> web.Response:
    expert_id, client_id = await _as_expert_of(request)
    text = clean_note(NOTE_BODY.read(await read_json(request))["text"])
    return web.json_response((await request.app[NOTES].save(expert_id, client_id, text)).public())


@routes.get("/api/v1/clients/{client_id}/note")
@described("The caller's private note on a client (experts; empty text when none)",
           answer=NOTE)
async def get_client_note(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    client_id = request.match_info["client_id"]
    if not looks_like_id(client_id):
        raise NotFound("no such client")
    return web.json_response((await request.app[NOTES].get(expert.id, client_id)).public())


@routes.get("/api/v1/me/notes")
@described("Notes experts keep on the caller: who and when (the text is in the export)",
           answer=obj(notes=array(obj(expert=obj(id=ID, display_name=STRING),
                                      updated_at=TIME))))
async def notes_about_me(request: web.Request) -> web.Response:
    account = await caller(request)
    return web.json_response({"notes": await notes_listing(request, account.id)})


async def notes_listing(request: web.Request, client_id: str) -> list[dict[str, object]]:
    about = await request.app[NOTES].about(client_id)
    names = await request.app[ACCOUNTS].store.display_names([e for e, _ in about])
    return [{"expert": {"id": e, "display_name": names.get(e, "")}, "updated_at": iso_ms(at)}
            for e, at in about]


@routes.delete("/api/v1/me/notes/{expert_id}")
@described("Erase the note an expert keeps on the caller", answer=None, status=204)
async def erase_note_about_me(request: web.Request) -> web.Response:
    account = await caller(request)
    expert_id = request.match_info["expert_id"]
    if not looks_like_id(expert_id) or not await request.app[NOTES].erase(expert_id, account.id):
        raise NotFound("no note of this expert on you")
    return web.Response(status=204)
