"""Every answer of ``/api/v1`` in the test suite, checked against ``openapi.json``.

``tests/conftest.py`` puts :class:`AnswerCheck` in front of every app it starts; a test
whose app answered something its description does not allow fails at teardown, naming
the route and what differs. So the document is held to what the server really does by
every test that calls the API, not only by the OpenAPI tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from openapi_core import Config, OpenAPI
from openapi_core.contrib.aiohttp import AIOHTTPOpenAPIWebRequest, AIOHTTPOpenAPIWebResponse

from server.apidoc import operation_of
from server.openapi import API_PREFIX, PATH_PARAMETER, document

# "GET /api/v1/..." of every operation whose answer was checked, over the whole run.
EXERCISED: set[str] = set()
DESCRIBED: set[str] = set()  # every operation of the documents seen
_SPECS: dict[int, tuple[dict[str, Any], OpenAPI]] = {}


class _RoutedRequest(AIOHTTPOpenAPIWebRequest):
    """The request, naming the route it took: ``/bookings/{id}.ics`` must not be taken for
    ``/bookings/{id}`` with an id ending in ``.ics``."""

    @property
    def path_pattern(self) -> str:
        resource = self.request.match_info.route.resource
        assert resource is not None
        return PATH_PARAMETER.sub(r"{\1}", resource.canonical)


@dataclass
class AnswerCheck:
    problems: list[str] = field(default_factory=list)

    def install(self, app: web.Application) -> None:
        # Outermost, so the error envelopes made by the error middleware are checked too.
        app.middlewares.insert(0, self.middleware)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        route = request.match_info.route
        if (request.path.startswith(API_PREFIX + "/") and isinstance(response, web.Response)
                and operation_of(route.handler) is not None):
            self.check(request, response)
        return response

    def check(self, request: web.Request, response: web.Response) -> None:
        doc = document(request.app)
        cached = _SPECS.get(id(doc))
        if cached is None or cached[0] is not doc:
            DESCRIBED.update(f"{method.upper()} {path}" for path, ops in doc["paths"].items()
                             for method in ops)
            # The document's validity is tests/server/test_openapi.py's business; checking
            # it again for every app would cost more than the answers' checks.
            cached = _SPECS[id(doc)] = (doc, OpenAPI.from_dict(
                doc, config=Config(spec_validator_cls=None)))
        spec = cached[1]
        path = request.match_info.route.resource.canonical  # type: ignore[union-attr]
        EXERCISED.add(f"{request.method} {path}")
        try:
            spec.validate_response(_RoutedRequest(request, body=None),
                                   AIOHTTPOpenAPIWebResponse(response))
        except Exception as exc:  # openapi-core raises several families; all are findings
            cause = exc.__cause__ or exc
            details = getattr(cause, "schema_errors", None) or [cause]
            body = response.body if isinstance(response.body, bytes) else b""
            self.problems.append(
                f"{request.method} {request.path} answered {response.status} "
                f"not as openapi.json describes it: "
                f"{'; '.join(str(d).splitlines()[0] for d in details)}\n"
                f"  body: {body[:300]!r}")
