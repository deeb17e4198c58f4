"""Security headers on every response, as a plain ASGI middleware (cheap per request).

Pages carry no inline script and no inline style, so the policy can forbid both. KaTeX and
our own scripts load from 'self'. The one exception is FastAPI's ``/docs`` page, whose
single inline bootstrap script is allowed by its SHA-256 hash (computed at start-up from
the exact HTML served); Swagger UI itself is vendored under static/swagger/ (Apache-2.0).
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def script_hashes(html: str) -> list[str]:
    """CSP source expressions for each inline ``<script>`` in ``html``."""
    out = []
    for body in _SCRIPT.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        out.append(f"'sha256-{digest}'")
    return out


def docs_csp(html: str) -> str:
    hashes = " ".join(script_hashes(html))
    return (
        f"default-src 'self'; script-src 'self' {hashes}; "
        "style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, overrides: dict[str, str] | None = None) -> None:
        self.app = app
        self.overrides = overrides or {}  # path → CSP for that path
        self.base = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.overrides.get(scope["path"], CSP).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != b"content-security-policy"
                ]
                headers += [*self.base, (b"content-security-policy", csp)]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
