"""The workspace fixtures (a network with a GDCA coordinator), for the link pages' tests, and
settings that let the publishing API serve a change at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.settings import Settings
from tests.workspace.conftest import coordinator, network

__all__ = ["coordinator", "network"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(
        environ={},
        secret_key="test-secret",
        data_dir=tmp_path,
        base_url="http://testserver",
        api_settle_seconds=0,
    )
