"""A tiny OpenAI-compatible chat server on 127.0.0.1 for tests and load benchmarks.

It streams a fixed reply word by word with a configurable delay, so measurements see Counterpoint's own
overhead rather than a model's. `api_key` makes it answer 401 to any other key.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StubOpenAI:
    """Start with `with StubOpenAI(reply) as stub:`; `stub.base_url` ends in `/v1`."""

    def __init__(
        self,
        reply: str,
        first_token_delay_s: float = 0.0,
        token_delay_s: float = 0.0,
        api_key: str | None = None,
        drop_after_words: int | None = None,
    ) -> None:
        self.reply = reply
        self.first_token_delay_s = first_token_delay_s
        self.token_delay_s = token_delay_s
        self.api_key = api_key
        self.drop_after_words = drop_after_words  # cut the connection mid-stream, like a server that died
        self.requests: list[dict[str, Any]] = []
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
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
            protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, like vLLM or llama.cpp server

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
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                time.sleep(stub.first_token_delay_s)
                words = stub.reply.split(" ")
                for i, word in enumerate(words):
                    if stub.drop_after_words is not None and i >= stub.drop_after_words:
                        self.close_connection = True
                        return  # the socket closes inside the chunked body: a server that died
                    piece = word if i == 0 else " " + word
                    self._event({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}, body)
                    time.sleep(stub.token_delay_s)
                self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}, body)
                usage = {"prompt_tokens": 10, "completion_tokens": len(words), "total_tokens": 10 + len(words)}
                self._event({"choices": [], "usage": usage}, body)
                self._chunk(b"data: [DONE]\n\n")
                self._chunk(b"")  # the terminating zero-length chunk

            def _event(self, payload: dict[str, Any], body: dict[str, Any]) -> None:
                payload = {
                    "id": "stub",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": body.get("model"),
                    **payload,
                }
                self._chunk(f"data: {json.dumps(payload)}\n\n".encode())

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        return Handler


class _QuietServer(ThreadingHTTPServer):
    """A client that goes away while a kept-alive connection is idle is normal, not an error to print."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class StubProcess:
    """The stub in its own process, so a load test's client threads cannot slow its clock.

    `with StubProcess(reply, ...) as stub:` gives `stub.base_url`; arguments are those of `StubOpenAI`.
    """

    def __init__(self, reply: str, **options: Any) -> None:
        self._ready: multiprocessing.Queue[str] = multiprocessing.Queue()
        self._process = multiprocessing.Process(target=_serve, args=(reply, options, self._ready), daemon=True)
        self.base_url = ""

    def __enter__(self) -> StubProcess:
        self._process.start()
        self.base_url = self._ready.get(timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(timeout=10)


def _serve(reply: str, options: dict[str, Any], ready: multiprocessing.Queue[str]) -> None:
    stub = StubOpenAI(reply, **options)
    ready.put(stub.base_url)
    stub.server.serve_forever()
