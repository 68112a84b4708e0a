"""The load benchmark's baseline: a bare Gradio ChatInterface that streams the same stub model's reply.

No retrieval, no verification, no state: the smallest Gradio app a chat over an OpenAI-compatible server
can be. Run as `python -m bench.baseline_app PORT STUB_BASE_URL CONCURRENCY`; the bench calls it through
the same gradio_client pattern as Counterpoint and divides (see `bench.load_bench`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import httpx

from app.settings import apply_offline_env


def build(base_url: str, concurrency: int):  # type: ignore[no-untyped-def]
    import gradio as gr

    http = httpx.Client(timeout=60)

    def chat(message: str, history: list[dict[str, str]]) -> Iterator[str]:
        body = {"model": "stub", "stream": True, "messages": [{"role": "user", "content": message}]}
        text = ""
        with http.stream("POST", f"{base_url}/chat/completions", json=body) as response:
            for line in response.iter_lines():
                choices = json.loads(line[6:]).get("choices") if line.startswith("data: {") else None
                if choices:  # the last chunk may carry usage only
                    text += choices[0]["delta"].get("content") or ""
                    yield text

    demo = gr.ChatInterface(chat, api_name="chat", analytics_enabled=False)
    return demo.queue(default_concurrency_limit=concurrency)


def main() -> None:
    apply_offline_env()
    port, base_url, concurrency = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    demo = build(base_url, concurrency)
    demo.launch(server_name="127.0.0.1", server_port=port, share=False, ssr_mode=False, show_error=True)


if __name__ == "__main__":
    main()
