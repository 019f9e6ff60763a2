"""Exports uploaded for sources, in the uploads folder: copied in atomically, and a file previewed
before its source is saved waits there under a random name the form carries until it is saved (one
left waiting for a day is removed)."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from starlette.datastructures import UploadFile

PENDING = re.compile(r"\.pending-[A-Za-z0-9_-]{22}\.(csv|json|xlsx|ods)")
PENDING_SECONDS = 24 * 3600


def keep_pending(upload: UploadFile, directory: Path, extension: str) -> str:
    """Keeps a previewed file until its source is saved; its (random) name goes back in the form."""
    if directory.is_dir():  # files left waiting for a day were never saved
        limit = time.time() - PENDING_SECONDS
        for path in directory.glob(".pending-*"):
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
    name = f".pending-{secrets.token_urlsafe(16)}.{extension}"
    keep_upload(upload, directory, name)
    return name


def pending_file(directory: Path, name: str) -> Path | None:
    """The waiting file ``name`` names, if it is a name the hub gave and the file is still there."""
    if not PENDING.fullmatch(name or ""):
        return None
    path = directory / name
    return path if path.is_file() else None


def keep_upload(upload: UploadFile, directory: Path, name: str) -> None:
    """Copies the uploaded file into the uploads folder as ``name``, replacing it atomically.

    Starlette has spooled the upload to a temporary file already (capped by ``MAX_BODY_BYTES``);
    this copies it in chunks, so memory stays small whatever the size.
    """
    directory.mkdir(parents=True, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as target:
            upload.file.seek(0)
            shutil.copyfileobj(upload.file, target, 2**20)
        os.replace(partial, directory / name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
