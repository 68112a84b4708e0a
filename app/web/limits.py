"""Guards in front of the whole web app: a request-size limit and the site login's guessing throttle.

Gradio checks uploaded files against `max_file_size`, but any other request body (queue joins, API
calls) is read whole. `BodySizeLimit` refuses bodies over a limit with 413 before they are read: by
`Content-Length` when given, by counting otherwise.

Gradio's `/login` (COUNTERPOINT_AUTH) answers as fast as it can be asked. `LoginThrottle` counts its
answers per client address and for the account, with the teacher password's `PasswordThrottle`, and
answers 429 while an address (or the account) is locked, before Gradio compares the password.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from starlette.middleware import Middleware

from app.classroom.teacher import PasswordThrottle
from app.web.clients import Network, scope_client

SLACK_BYTES = 256_000  # multipart framing and form fields around an upload at the size limit


class BodySizeLimit:
    """ASGI middleware: 413 for any HTTP request body over `max_bytes`."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    @classmethod
    def middleware(cls, max_upload_bytes: int) -> Middleware:
        return Middleware(cls, max_bytes=max_upload_bytes + SLACK_BYTES)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0

        async def counted() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    return {"type": "http.disconnect"}
            return dict(message)

        await self.app(scope, counted, send)

    async def _refuse(self, send: Any) -> None:
        await _json(send, 413, {"error": f"request body over the {self.max_bytes / 1e6:.1f} MB limit"})


LOGIN_PATHS = ("/login", "/login/")


class LoginThrottle:
    """ASGI middleware: Gradio's POST /login, throttled per client address and for the account."""

    def __init__(self, app: Any, throttle: PasswordThrottle, trusted: Sequence[Network] = ()) -> None:
        self.app = app
        self.throttle = throttle
        self.trusted = tuple(trusted)

    @classmethod
    def middleware(cls, throttle: PasswordThrottle | None = None, trusted: Sequence[Network] = ()) -> Middleware:
        return Middleware(cls, throttle=throttle or PasswordThrottle(), trusted=tuple(trusted))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") not in LOGIN_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope_client(scope, self.trusted)
        wait = self.throttle.wait_s(client)
        if wait > 0:
            await _json(send, 429, {"detail": f"Too many wrong passwords. Try again in {math.ceil(wait)} s."},
                        [(b"retry-after", str(math.ceil(wait)).encode())])  # fmt: skip
            return

        async def watched(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if status == 200:
                    self.throttle.record(client, ok=True)
                elif status in (400, 401):  # Gradio's "Incorrect credentials."
                    self.throttle.record(client, ok=False)
            await send(message)

        await self.app(scope, receive, watched)


async def _json(send: Any, status: int, data: dict[str, Any], extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps(data).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
