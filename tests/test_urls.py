"""Paths by route name: ``hub.urls`` gets the route table from whatever starts the process, so a
domain's core module builds links without importing the pages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from starlette.routing import BaseRoute

from hub import urls
from hub.app import routes

URLS = Path(urls.__file__)


def test_the_table_is_installed_built_on_first_use_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(urls, "_routes", None)
    monkeypatch.setattr(urls, "_paths", None)
    with pytest.raises(RuntimeError, match="install"):
        urls.url("pilots", lang="en")
    built: list[int] = []

    def table() -> list[BaseRoute]:
        built.append(1)
        return routes()

    urls.install(table)
    assert built == []  # nothing is imported or built until a link is
    assert urls.url("pilot", lang="nl", pilot_id=3) == "/nl/pilots/3"
    assert urls.absolute_url("https://hub.example/", "ws_run", lang="en", run_id=7) == (
        "https://hub.example/en/coordinator/runs/7"
    )
    assert urls.absolute_url("https://hub.example", "newsletter_one_click", token="a.b") == (
        "https://hub.example/newsletter/one-click/a.b"
    )
    urls.install(table)  # again, as every create_app does
    assert urls.url("pilots", lang="en", query={"programme": "gdca", "q": ""}) == "/en/pilots?programme=gdca"
    assert built == [1]


def test_the_module_imports_no_page() -> None:
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(URLS.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert {name for name in imported if name and name.startswith("hub")} == {"hub"}  # hub.i18n only
