"""A tiny OpenAI-compatible chat server on 127.0.0.1 for tests and load benchmarks.

It streams a fixed reply word by word with a configurable delay, so measurements see Counterpoint's own
overhead rather than a model's. `api_key` makes it answer 401 to any other key.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StubOpenAI:
    """Start with `with StubOpenAI(reply) as stub:`; `stub.base_url` ends in `/v1`."""

    def __init__(
        self, reply: str, first_token_delay_s: float = 0.0, token_delay_s: float = 0.0, api_key: str | None = None
    ) -> None:
        self.reply = reply
        self.first_token_delay_s = first_token_delay_s
        self.token_delay_s = token_delay_s
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StubOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                stub.requests.append(body)
                if stub.api_key and self.headers.get("Authorization") != f"Bearer {stub.api_key}":
                    return self._json(401, {"error": {"message": "Incorrect API key", "type": "invalid_request_error"}})
                if not self.path.endswith("/chat/completions"):
                    return self._json(404, {"error": {"message": "not found"}})
                if body.get("stream"):
                    return self._stream(body)
                message = {"role": "assistant", "content": stub.reply}
                usage = {"prompt_tokens": 10, "completion_tokens": len(stub.reply.split()), "total_tokens": 10}
                return self._json(
                    200,
                    {
                        "id": "stub",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model"),
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                        "usage": usage,
                    },
                )

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                time.sleep(stub.first_token_delay_s)
                words = stub.reply.split(" ")
                for i, word in enumerate(words):
                    piece = word if i == 0 else " " + word
                    self._event({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}, body)
                    time.sleep(stub.token_delay_s)
                self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}, body)
                usage = {"prompt_tokens": 10, "completion_tokens": len(words), "total_tokens": 10 + len(words)}
                self._event({"choices": [], "usage": usage}, body)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, payload: dict[str, Any], body: dict[str, Any]) -> None:
                payload = {
                    "id": "stub",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": body.get("model"),
                    **payload,
                }
                self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                self.wfile.flush()

        return Handler
