"""``GET /api/v1/openapi.json`` (protocol §7.7), built by walking the app's router, and the
reference page ``/api/docs`` (Swagger UI, vendored from the npm registry)."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from accounts.tokens import COOKIE_NAME
from common.schema import Schema
from server.apidoc import NO_CONTENT, Operation, Raw, described, operation_of
from server.keys import OPENAPI
from web.setup import STATIC

routes = web.RouteTableDef()

API_PREFIX = "/api/v1"
VERSION = "1.1"
PATH_PARAMETER = re.compile(r"\{(\w+)[^}]*\}")

ERROR: Schema = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "description": "protocol §2: invalid, unauthorized, "
                     "forbidden, not_found, conflict, unavailable, insufficient_funds, "
                     "too_large, rate_limited, ..."},
            "message": {"type": "string"},
            "field": {"type": "string", "description": "the field to fix (invalid)"},
        },
    }},
}
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "account": [{"bearer": []}, {"cookie": []}],
    "brand": [{"bearer": []}, {"brandKey": []}, {"cookie": []}],
    "none": [],
}


def api_routes(app: web.Application) -> list[tuple[str, str, Any]]:
    """(method, path, handler) of every route under /api/v1, as the router holds them."""
    found = []
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if not path.startswith(API_PREFIX + "/") or route.method in ("HEAD", "*"):
            continue
        found.append((route.method.lower(), PATH_PARAMETER.sub(r"{\1}", path), route.handler))
    return found


def undescribed(app: web.Application) -> list[str]:
    return [f"{method.upper()} {path}" for method, path, handler in api_routes(app)
            if operation_of(handler) is None]


def _content(answer: Schema | Raw) -> dict[str, Any]:
    if isinstance(answer, Raw):
        # OpenAPI 3.1: raw bytes need no schema beyond what they are.
        return {answer.content_type: {"schema": {"description": answer.description}}}
    return {"application/json": {"schema": answer}}


def _operation(method: str, path: str, op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": f"{method}{re.sub(r'[^A-Za-z0-9]+', '_', path[len(API_PREFIX):])}",
        "summary": op.summary,
        "tags": [op.tag or path[len(API_PREFIX):].split("/")[1]],
        "security": _SECURITY[op.auth],
    }
    if op.description:
        out["description"] = op.description
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in PATH_PARAMETER.findall(path)]
    parameters += [{"name": f.name, "in": "query", "required": f.required,
                    "schema": f.schema()} for f in op.query]
    if parameters:
        out["parameters"] = parameters
    if isinstance(op.body, Raw):
        out["requestBody"] = {"required": True, "content": _content(op.body)}
    elif op.body is not None:
        out["requestBody"] = {"required": True, "content": _content(op.body.schema())}
    success: dict[str, Any] = {"description": op.summary}
    if op.answer is not NO_CONTENT:
        success["content"] = _content(op.answer)
    out["responses"] = {str(op.status): success,
                        "default": {"$ref": "#/components/responses/Error"}}
    return out


def build(app: web.Application) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for method, path, handler in api_routes(app):
        op = operation_of(handler)
        if op is None:
            # Served anyway so the document stays whole; the test suite names the route.
            op = Operation("(not described yet)", 200, {}, None, (), "account", "", None)
        paths.setdefault(path, {})[method] = _operation(method, path, op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "helpcall API",
            "version": VERSION,
            "description": "The HTTP API of helpcall (docs/protocol.md). Errors are always "
                           "`{\"error\": {\"code\", \"message\", \"field\"?}}`.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": ERROR},
            "responses": {"Error": {
                "description": "an error (protocol §2)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "a token from POST /api/v1/tokens"},
                "brandKey": {"type": "http", "scheme": "bearer",
                             "description": "a brand API key (hcb_...), for its own brand"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": COOKIE_NAME,
                           "description": "the browser's session; changes also need the "
                                          "X-Requested-With header"},
            },
        },
    }


async def remember_document(app: web.Application) -> None:
    """Built once per app, at start-up: the router is complete and frozen by then."""
    app[OPENAPI] = build(app)


def document(app: web.Application) -> dict[str, Any]:
    return app[OPENAPI]


@routes.get(API_PREFIX + "/openapi.json")
@described("This document (OpenAPI 3.1)", answer={
    "type": "object", "required": ["openapi", "info", "paths", "components"],
    "properties": {"openapi": {"type": "string", "pattern": "^3\\.1\\."},
                   "info": {"type": "object", "required": ["title", "version"],
                            "properties": {"title": {"type": "string"},
                                           "version": {"type": "string"}}},
                   "paths": {"type": "object"}, "components": {"type": "object"}}},
           auth="none", tag="meta")
async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(document(request.app),
                             headers={"Cache-Control": "no-cache"})


@routes.get("/api/docs")
async def reference_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "api-docs.html", headers={"Cache-Control": "no-cache"})
