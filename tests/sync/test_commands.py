"""``hub sources`` and ``hub sync`` as an operator runs them, and sources run on schedule by ``hub serve``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.connectors.fixture_server import File, FixtureServer
from tests.servers import hub_environment, run_hub, serving_hub

EXPORT = (
    "id,titel,land,status,fase\nd1,Circulair meubilair,NL,running,tender\nd2,Laptops,NL,completed,award\n"
)


def sources_file(directory: Path, body: str) -> Path:
    path = directory / "sources.toml"
    path.write_text(body)
    return path


TABULAR = """
[[source]]
key = "gdci-export"
name = "GDCI export"
kind = "tabular"
programme = "gdci"
schedule = "every 60"
[source.options]
upload = "gdci.csv"
target = "pilot"
id_column = "id"
[source.options.columns]
title_nl = "titel"
country = "land"
status = "status"
phase = "fase"
"""


@pytest.fixture(scope="module")
def hub_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hub with the demo network (its programmes) and an export in its uploads folder."""
    directory = tmp_path_factory.mktemp("sources")
    result = run_hub("demo", env=hub_environment(directory))
    assert result.returncode == 0, result.stderr
    uploads = directory / "var" / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)  # `hub demo` made it for its news exports
    (uploads / "gdci.csv").write_text(EXPORT)
    return directory


def test_declared_sources_are_loaded_listed_and_synced_by_hand(hub_dir: Path) -> None:
    env = hub_environment(hub_dir, HUB_DEFAULT_LANGUAGE="en")
    path = sources_file(hub_dir, TABULAR)
    loaded = run_hub("sources", "load", str(path), env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "1 created, 0 updated, 0 disabled" in loaded.stderr

    listed = run_hub("sources", "list", env=env)
    assert "\ngdci-export\ttabular\tgdci\tenabled\tevery 60\tnext " in "\n" + listed.stdout

    first = run_hub("sync", "gdci-export", env=env)
    assert first.returncode == 0, first.stderr
    assert "gdci-export: Succeeded (2 added, 0 updated, 0 unchanged, 0 withdrawn, 0 failed)" in first.stderr
    again = run_hub("sync", "gdci-export", env=env)
    assert "(0 added, 0 updated, 2 unchanged, 0 withdrawn, 0 failed)" in again.stderr
    # A command says what it did, and nothing of the migrations or runs it logs on the way.
    assert "INFO" not in first.stderr + first.stdout and "alembic" not in first.stderr
    # In the shell's language, unless the hub's default language is set.
    dutch = run_hub("sync", "gdci-export", env={**hub_environment(hub_dir), "LANG": "nl_BE.UTF-8"})
    assert "gdci-export: Geslaagd (0 toegevoegd, 0 bijgewerkt, 2 ongewijzigd" in dutch.stderr, dutch.stderr

    reloaded = run_hub("sources", "load", str(path), env=env)
    assert "0 created, 0 updated, 0 disabled" in reloaded.stderr
    emptied = run_hub("sources", "load", str(sources_file(hub_dir, "")), env=env)
    assert "0 created, 0 updated, 1 disabled" in emptied.stderr


def test_bad_commands_say_what_is_wrong(hub_dir: Path) -> None:
    env = hub_environment(hub_dir)
    unknown = run_hub("sync", "no-such-source", env=env)
    assert unknown.returncode == 2
    assert "there is no source 'no-such-source'" in unknown.stderr
    bad = sources_file(hub_dir, TABULAR.replace('programme = "gdci"', 'programme = "nowhere"'))
    refused = run_hub("sources", "load", str(bad), env=env)
    assert refused.returncode == 2
    assert "source gdci-export: programme_id: Choose the programme" in refused.stderr
    broken = run_hub("sources", "load", str(sources_file(hub_dir, "[[source]\n")), env=env)
    assert broken.returncode == 2 and "is not valid TOML" in broken.stderr


def test_a_failed_run_exits_with_an_error(hub_dir: Path) -> None:
    env = hub_environment(hub_dir, HUB_DEFAULT_LANGUAGE="en")
    body = TABULAR.replace("gdci-export", "broken-export").replace("gdci.csv", "missing.csv")
    assert run_hub("sources", "load", str(sources_file(hub_dir, body)), env=env).returncode == 0
    failed = run_hub("sync", "broken-export", env=env)
    assert failed.returncode == 2
    assert "broken-export: Failed" in failed.stderr and "the run of broken-export failed" in failed.stderr


FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Nieuws</title><link>https://example.org/</link><description>d</description>
<item><guid>https://example.org/n/1</guid><title>Aankoopcentrale kiest circulaire kantoorinrichting</title>
<link>https://example.org/n/1</link>
<description>&lt;p&gt;Meer &lt;b&gt;hergebruik&lt;/b&gt;&lt;/p&gt;</description>
<pubDate>Tue, 24 Nov 2026 09:00:00 GMT</pubDate></item>
</channel></rss>"""


@pytest.fixture
def feed_server() -> Iterator[FixtureServer]:
    with FixtureServer() as server:
        server.routes["/news.rss"] = File(FEED, "application/rss+xml")
        yield server


def test_serve_runs_due_sources_on_its_own(tmp_path: Path, feed_server: FixtureServer) -> None:
    """Nobody presses a button: the scheduler in ``hub serve`` syncs the declared feed."""
    path = sources_file(
        tmp_path,
        f"""
[[source]]
key = "gdca-news"
name = "Vlaanderen Circulair nieuws"
kind = "feed"
programme = "gdca"
schedule = "every 60"
[source.options]
url = "{feed_server.url("/news.rss")}"
language = "nl"
""",
    )
    env = hub_environment(
        tmp_path,
        HUB_SOURCES_FILE=str(path),
        HUB_SCHEDULER_TICK_SECONDS="1",
        HUB_FETCH_ALLOWED_NETWORKS="127.0.0.1/32",
    )
    with serving_hub(tmp_path, "--demo", env=env) as base:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            page = httpx.get(f"{base}/nl/news")
            if "Aankoopcentrale kiest circulaire kantoorinrichting" in page.text:
                break
            time.sleep(0.5)
        else:
            pytest.fail(
                f"the feed was not synced within 60 s:\n{(tmp_path / 'serve.log').read_text()[-3000:]}"
            )
        assert "<b>hergebruik</b>" in page.text  # sanitised HTML kept, rendered as markup
        status = httpx.get(f"{base}/en/sources")
        assert "Vlaanderen Circulair nieuws" in status.text
    assert len(feed_server.requests) == 1  # run once, not once per tick
