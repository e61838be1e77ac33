"""``GET /api/v1/openapi.json`` (protocol §7.7): a valid OpenAPI 3.1 document of every route.

The answers themselves are checked against it by every test that starts an app
(``tests/openapi_check.py``); here: the document, its completeness, and the checker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi_spec_validator import validate

from server.apidoc import INTEGER, described, obj
from server.app import create_app
from server.config import load_config
from server.keys import ACCOUNTS
from server.openapi import api_routes, undescribed
from tests.conftest import Running, base_env
from tests.openapi_check import AnswerCheck


async def test_the_document_is_valid_openapi_3_1_and_covers_every_api_route(
    running: Running,
) -> None:
    answer = await running.client.get("/api/v1/openapi.json")
    assert answer.status == 200
    doc = await answer.json()
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    served = {(method, path) for path, ops in doc["paths"].items() for method in ops}
    routed = {(method, path) for method, path, _ in api_routes(running.app)}
    assert served == routed
    assert len(routed) > 60
    # Bearer tokens, and the §2 envelope for every error.
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    wallet = doc["paths"]["/api/v1/wallet"]["get"]
    assert {"bearer": []} in wallet["security"]
    assert wallet["responses"]["default"]["$ref"] == "#/components/responses/Error"
    assert doc["paths"]["/api/v1/experts"]["get"]["security"] == []
    # Request bodies come from the parsers' declarations.
    signup = doc["paths"]["/api/v1/accounts"]["post"]["requestBody"]["content"]
    schema = signup["application/json"]["schema"]
    assert schema["properties"]["password"]["minLength"] == 8
    assert schema["properties"]["role"]["enum"] == ["client", "expert"]
    assert set(schema["required"]) == {"email", "password", "display_name", "role"}


def _bare_objects(schema: Any, where: str) -> list[str]:
    """Where a schema says "an object" and nothing of what it holds."""
    if not isinstance(schema, dict):
        return []
    kinds = schema.get("type")
    found = []
    if (kinds == "object" or (isinstance(kinds, list) and "object" in kinds)) \
            and not schema.get("properties") and "additionalProperties" not in schema:
        found.append(where)
    for name, sub in (schema.get("properties") or {}).items():
        found += _bare_objects(sub, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        found += _bare_objects(schema.get(key), f"{where}[]")
    for sub in schema.get("anyOf", []) + schema.get("oneOf", []):
        found += _bare_objects(sub, where)
    return found


async def test_every_answer_says_what_its_objects_hold(running: Running) -> None:
    # A bare {"type": "object"} lets any answer through: the checks of tests/openapi_check.py
    # and the fuzzing of scripts/test would then prove nothing about that answer.
    doc = await (await running.client.get("/api/v1/openapi.json")).json()
    # Except the document itself, which openapi_spec_validator checks above.
    bare = [found for path, ops in doc["paths"].items() if path != "/api/v1/openapi.json"
            for method, op in ops.items()
            for status, answer in op["responses"].items() if status.startswith("2")
            for content in answer.get("content", {}).values()
            for found in _bare_objects(content.get("schema"), f"{method.upper()} {path}")]
    assert not bare, f"answers described as a bare object: {bare}"


async def test_every_route_under_api_v1_is_described(running: Running) -> None:
    missing = undescribed(running.app)
    assert not missing, (
        "these routes have no @described(...) under their route decorator "
        f"(see server/apidoc.py): {', '.join(missing)}")


async def test_an_undescribed_route_is_named(tmp_path: Path, redis_url: str) -> None:
    app = create_app(load_config(base_env(redis_url, tmp_path)))

    async def secret_handler(request: web.Request) -> web.Response:
        return web.json_response({})

    app.router.add_get("/api/v1/forgotten/{thing_id}", secret_handler)
    assert undescribed(app) == ["GET /api/v1/forgotten/{thing_id}"]


async def test_an_answer_unlike_its_description_is_caught(tmp_path: Path, redis_url: str) -> None:
    app = create_app(load_config(base_env(redis_url, tmp_path)))

    @described("Count things", answer=obj(count=INTEGER), auth="none")
    async def counting(request: web.Request) -> web.Response:
        return web.json_response({"count": request.query.get("as", "many")})

    app.router.add_get("/api/v1/things/count", counting)
    check = AnswerCheck()
    check.install(app)
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.get("/api/v1/things/count")).status == 200
        assert len(check.problems) == 1
        assert "GET /api/v1/things/count answered 200" in check.problems[0]
        assert "'many' is not of type 'integer'" in check.problems[0]
        # An error envelope is an answer too: §2 shape, checked like the rest.
        assert (await client.get("/api/v1/me")).status == 401
        assert len(check.problems) == 1
    finally:
        await client.close()


async def test_the_reference_page_and_its_viewer_are_served_locally(running: Running) -> None:
    page = await running.client.get("/api/docs")
    assert page.status == 200
    html = await page.text()
    # The viewer comes from our own /static/vendor (npm, via scripts/bootstrap), no CDN.
    assert "/static/vendor/swagger-ui-bundle.js" in html and "https://" not in html
    for asset in ("/static/vendor/swagger-ui-bundle.js", "/static/vendor/swagger-ui.css",
                  "/static/js/api-docs.js"):
        assert (await running.client.get(asset)).status == 200, asset


async def test_the_admin_billing_answer_matches_its_description(running: Running) -> None:
    # The one operation no other test called; its answer is checked like every other.
    await running.app[ACCOUNTS].create_admin("ops-admin@example.test", "correct horse")
    token = await running.client.post("/api/v1/tokens", json={
        "email": "ops-admin@example.test", "password": "correct horse"})
    headers = {"Authorization": f"Bearer {(await token.json())['token']}"}
    answer = await running.client.get("/api/v1/admin/billing", headers=headers)
    assert answer.status == 200
    assert (await answer.json())["webhook_configured"] is False
