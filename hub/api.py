"""Shared pieces of the JSON API: responses and errors in one shape."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status_code,
        media_type="application/json",
    )


def api_error(status_code: int, code: str, message: str, **details: Any) -> Response:
    """``{"error": {"code": ..., "message": ..., ...}}``: a stable code for programs, a message for people."""
    return json_response({"error": {"code": code, "message": message, **details}}, status_code)
