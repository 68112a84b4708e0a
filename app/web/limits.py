"""A request-size guard in front of the whole web app.

Gradio checks uploaded files against `max_file_size`, but any other request body (queue joins, API
calls) is read whole. This ASGI middleware refuses bodies over a limit with 413 before they are read:
by `Content-Length` when given, by counting otherwise.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.middleware import Middleware

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
        body = json.dumps({"error": f"request body over the {self.max_bytes / 1e6:.1f} MB limit"}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
