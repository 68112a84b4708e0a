"""Serve the web UI: build the service, make sure the default essay is indexed, warm up, launch.

Safe by default: binds 127.0.0.1, no share link, optional `user:password` auth (COUNTERPOINT_AUTH),
request-size limits, and a queue whose concurrency limit lets many users share one model.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from app.debate.errors import CounterpointError
from app.debate.service import DebateService
from app.settings import Settings, apply_offline_env

log = logging.getLogger("counterpoint.web")


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """`"user:password"` -> `("user", "password")`; None when unset; a clear error when malformed."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise CounterpointError("COUNTERPOINT_AUTH must look like user:password (both parts non-empty)")
    return user, password


def ensure_default_essay(service: DebateService) -> bool:
    """Ingest the default essay if the index lacks it; returns whether it did."""
    if service.document(service.default_doc) is not None:
        return False
    from ingest.pipeline import load_all

    service.ingest(load_all([service.default_essay], max_bytes=service.max_upload_bytes))
    return True


def server_options(settings: Settings) -> dict[str, Any]:
    """`launch()` keyword arguments for a real server (tests add prevent_thread_lock/quiet themselves)."""
    from app.web.app import launch_options

    return {
        **launch_options(settings),
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": parse_auth(settings.auth),
        "auth_message": "Counterpoint: sign in with the classroom user name and password." if settings.auth else None,
    }


def teacher_status(settings: Settings) -> str:
    """Whether the Teacher tab is on (the password itself is never printed)."""
    password = settings.classroom.teacher_password
    if password and password.get_secret_value():
        return "on (locked by COUNTERPOINT_CLASSROOM__TEACHER_PASSWORD)"
    return "off (set COUNTERPOINT_CLASSROOM__TEACHER_PASSWORD to turn it on)"


def launch(settings: Settings) -> None:
    """`counterpoint serve`: serve until interrupted."""
    apply_offline_env()
    options = server_options(settings)  # fail on a malformed auth before loading any model
    if settings.host not in ("127.0.0.1", "localhost", "::1") and not settings.auth:
        log.warning("serving on %s without a password; set COUNTERPOINT_AUTH=user:password", settings.host)
    from app.web.app import create_app
    from app.wiring import make_service

    if settings.embedding_threads is None:  # a server embeds short queries between other work: one thread
        settings = settings.model_copy(update={"embedding_threads": 1})
    service = make_service(settings)
    if ensure_default_essay(service):
        print(f"ingested the default essay ({settings.default_essay.name})")
    service.warm_up()
    demo = create_app(service, settings)
    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    print(f"Counterpoint: http://{settings.host}:{settings.port} · model: {service.backend_description()}")
    print(f"Classroom tab: practice rounds · Teacher tab: {teacher_status(settings)}")
    gc.collect()
    gc.freeze()  # what startup built (models, indexes, the app) lives for good: full collections skip it
    demo.launch(**options)
