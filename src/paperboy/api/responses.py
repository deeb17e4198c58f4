"""What the documented routes answer, for the OpenAPI document: error bodies and media types.

Handlers return ready ``Response`` objects from the cache, so nothing here changes a byte on
the wire; it only makes ``/openapi.json`` say what ``create_app``'s error handlers and the
renderers really send (schemathesis checks the two against each other).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

# Every 4xx/5xx of the API, feeds and exports: JSON with one message naming what is wrong.
# Spelled out rather than a pydantic model: FastAPI would file a model under the route's own
# media type, and a feed's 422 is JSON, not Atom.
ERROR_BODY = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_BODY}}}


# FastAPI's ``responses=`` type: status codes as int or str ("4XX").
Responses = dict[int | str, dict[str, Any]]

INVALID: Responses = {422: _error("A parameter cannot be used; the message names it")}
NOT_FOUND: Responses = {404: _error("No paper with that id")}
PAPER: Responses = {**NOT_FOUND, **INVALID}


class AtomResponse(Response):
    media_type = "application/atom+xml"


class BibtexResponse(Response):
    media_type = "application/x-bibtex"


class MarkdownResponse(Response):
    media_type = "text/markdown"
