"""Settings that let the publishing API serve a change at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(
        environ={},
        secret_key="test-secret-of-at-least-32-characters",
        data_dir=tmp_path,
        base_url="http://testserver",
        api_settle_seconds=0,
    )
