"""The one place that configures logging: plain text for people, or one JSON object a line for a
log collector (``HUB_LOG_FORMAT``).

Every ``hub`` command calls ``configure_logging`` once it has its settings, and so does
``app_from_environment`` (web processes run by the uvicorn command). Uvicorn's own loggers are
routed through the same handler, so its start-up and access lines come out in the same format.

The JSON formatter is a small ``logging.Formatter`` rather than a dependency (python-json-logger,
structlog): the format is a dozen lines, and the hub's code keeps logging through the standard
library with ``extra={...}`` for the fields a line is about (``run_id``, ``source``, ``issue_id``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any, TextIO

from hub.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")

# What every LogRecord has: anything else on a record came from ``extra=`` and is written as a field.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
# Fields the formatter writes itself; an ``extra`` of the same name is written with a leading "_".
_OWN = frozenset({"time", "level", "logger", "message", "exc_info", "stack_info"})


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (RFC 3339, UTC), ``level``, ``logger``, ``message``,
    ``exc_info`` (the traceback as text) when there is one, and every ``extra`` field.

    Uvicorn's access lines also get ``client``, ``method``, ``path``, ``http_version`` and
    ``status`` as fields of their own.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            entry.update(client=client, method=method, path=path, http_version=version, status=status)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key != "color_message":  # uvicorn's coloured copy of the message
                entry["_" + key if key in _OWN else key] = value
        return json.dumps(entry, default=str, ensure_ascii=False)


class _HubHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``configure_logging`` installs (so a second call replaces it, not adds one)."""


def make_formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> None:
    """Log to standard error in ``settings.log_format`` at ``settings.log_level``; idempotent.

    Uvicorn's loggers lose the handlers its default configuration gave them and propagate to the
    root logger, whose one handler this is.
    """
    handler = _HubHandler(stream or sys.stderr)
    handler.setFormatter(make_formatter(settings.log_format))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _HubHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        for other in list(logger.handlers):
            logger.removeHandler(other)
        logger.propagate = True
