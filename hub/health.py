"""``/healthz`` (the process is up) and ``/readyz`` (the database answers)."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

log = logging.getLogger(__name__)


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def readyz(request: Request) -> Response:
    try:
        with request.app.state.sessions() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.warning("readiness check failed: %s", error)
        return PlainTextResponse("database unavailable", status_code=503)
    return PlainTextResponse("ready")
