"""The ``hub`` command as a user runs it: a real process, real HTTP on 127.0.0.1."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.servers import free_port, hub_environment, run_hub, serving_hub


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``hub serve --demo`` on an empty database, as the README's first command runs it."""
    directory = tmp_path_factory.mktemp("serve")
    with serving_hub(
        directory,
        "--demo",
        env=hub_environment(directory, HUB_SCHEDULER_TICK_SECONDS="1", HUB_API_SETTLE_SECONDS="0"),
    ) as base:
        yield base


def test_serve_demo_serves_both_languages(served: str) -> None:
    root = httpx.get(f"{served}/", headers={"accept-language": "en"}, follow_redirects=True)
    assert root.url.path == "/en/"
    dutch = httpx.get(f"{served}/nl/")
    assert dutch.status_code == 200
    assert "Green Deal Circulair Aankopen" in dutch.text
    assert "Pilots in de hub" in dutch.text
    pilots = httpx.get(f"{served}/en/pilots?programme=procirc")
    assert pilots.status_code == 200
    assert "32 pilots" in pilots.text


def test_links_point_at_the_address_served_without_a_base_url(served: str) -> None:
    download = httpx.get(f"{served}/en/pilots.csv?programme=procirc").text
    assert f",{served}/en/pilots/" in download  # not the default port 8000: the one served


def test_a_base_url_on_another_local_port_is_warned_about(tmp_path: Path) -> None:
    env = hub_environment(tmp_path, HUB_BASE_URL="http://127.0.0.1:8000")
    with serving_hub(tmp_path, "--no-scheduler", env=env) as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
    log = (tmp_path / "serve.log").read_text()
    assert "HUB_BASE_URL is http://127.0.0.1:8000, but this process serves port" in log
    assert log.count("HUB_BASE_URL is") == 1


def test_serve_demo_api_and_health(served: str) -> None:
    first = httpx.get(f"{served}/api/v1/pilots?limit=50").json()
    assert len(first["data"]) == 50 and first["has_more"]
    rest = httpx.get(f"{served}/api/v1/pilots", params={"limit": 1000, "after": first["next_cursor"]}).json()
    assert len(first["data"]) + len(rest["data"]) == 302  # 200 GDCA + 70 GDCI + 32 ProCirc
    assert not rest["has_more"]
    assert httpx.get(f"{served}/healthz").text == "ok"


def test_serve_runs_the_scheduler(served: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    # The maintenance job is due at start-up; the scheduler in the serve process runs it.
    from sqlalchemy import create_engine, text

    database = next(Path(tmp_path_factory.getbasetemp()).glob("serve*/hub.sqlite3"))
    engine = create_engine(f"sqlite:///{database}")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                runs = connection.execute(text("SELECT runs FROM scheduled_jobs")).scalar()
            if runs:
                break
            time.sleep(0.5)
        assert runs == 1
    finally:
        engine.dispose()


def test_serve_demo_syncs_the_demo_news_sources(served: str) -> None:
    """The demo's news exports are sources like any other: the scheduler reads them at start."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        news = httpx.get(f"{served}/en/news")
        if "ProCirc delivers 32 circular pilots worth some €40 million" in news.text:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the demo news were not synced within 30 s")
    assert "<strong>20–25 % less</strong>" in news.text  # sanitised markup, shown as markup
    status = httpx.get(f"{served}/en/sources")
    assert status.text.count("(demo)") == 3
    assert "Never run" not in status.text


def test_unreachable_database_is_reported_clearly(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    env = hub_environment(tmp_path, HUB_DATABASE_URL=f"postgresql+psycopg://hub@127.0.0.1:{port}/hub")
    result = run_hub("serve", env=env, timeout=60)
    assert result.returncode == 2
    assert f"cannot reach the database postgresql+psycopg://hub@127.0.0.1:{port}/hub" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_is_reported_clearly(tmp_path: Path) -> None:
    result = run_hub("migrate", env=hub_environment(tmp_path, HUB_DEFAULT_LANGUAGE="fr"))
    assert result.returncode == 2
    assert "HUB_DEFAULT_LANGUAGE must be 'nl' or 'en'" in result.stderr


def test_migrate_then_demo_refuses_a_second_load(tmp_path: Path) -> None:
    env = hub_environment(tmp_path)
    assert run_hub("migrate", env=env).returncode == 0
    first = run_hub("demo", env=env)
    assert first.returncode == 0, first.stderr
    second = run_hub("demo", env=env)
    assert second.returncode == 2
    assert "already holds data" in second.stderr


def test_users_create_never_prints_the_password(tmp_path: Path) -> None:
    env = hub_environment(tmp_path)
    assert run_hub("demo", env=env).returncode == 0
    secret = "a long and secret passphrase"
    created = run_hub(
        "users",
        "create",
        "Anna@Example.org",
        "--name",
        "Anna",
        "--coordinator",
        "gdca",
        "--password-stdin",
        env=env,
        stdin=secret + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert secret not in created.stdout + created.stderr
    listed = run_hub("users", "list", env=env)
    assert "anna@example.org\tAnna\tlocal\tcoordinator (gdca)" in listed.stdout
    again = run_hub("users", "create", "anna@example.org", "--password-stdin", env=env, stdin=secret + "\n")
    assert again.returncode == 2
    assert "already exists" in again.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--password-stdin"], "short\n", "at least 12 characters"),
        ([], "", "no terminal to ask for the password: use --password-stdin"),
        (
            ["--password-stdin", "--coordinator", "nope"],
            "a long enough password\n",
            "there is no programme 'nope'",
        ),
    ],
)
def test_users_create_says_what_is_wrong(tmp_path: Path, args: list[str], stdin: str, message: str) -> None:
    result = run_hub("users", "create", "b@example.org", *args, env=hub_environment(tmp_path), stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr


def _log_in(client: httpx.Client, email: str, password: str) -> int:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/en/login").text)
    assert token
    data = {"email": email, "password": password, "csrf_token": token.group(1)}
    return client.post("/en/login", data=data, follow_redirects=False).status_code


def test_users_password_and_deactivate_end_the_persons_sessions(tmp_path: Path) -> None:
    env = hub_environment(tmp_path)
    first, second = "a long and secret passphrase", "another quite different passphrase"
    assert run_hub("demo", env=env).returncode == 0
    created = run_hub(
        "users",
        "create",
        "anna@example.org",
        "--coordinator",
        "gdca",
        "--password-stdin",
        env=env,
        stdin=first + "\n",
    )
    assert created.returncode == 0, created.stderr
    with serving_hub(tmp_path, env=env) as base, httpx.Client(base_url=base, timeout=30) as client:
        assert _log_in(client, "anna@example.org", first) == 303
        assert client.get("/en/coordinator/", follow_redirects=False).status_code == 200

        weak = run_hub(
            "users", "password", "anna@example.org", "--password-stdin", env=env, stdin="aaaaaaaaaaaa\n"
        )
        assert weak.returncode == 2 and "stronger password" in weak.stderr
        assert client.get("/en/coordinator/", follow_redirects=False).status_code == 200  # nothing changed

        changed = run_hub(
            "users", "password", "anna@example.org", "--password-stdin", env=env, stdin=second + "\n"
        )
        assert changed.returncode == 0, changed.stderr
        assert second not in changed.stdout + changed.stderr
        assert client.get("/en/coordinator/", follow_redirects=False).status_code == 303  # to the login page
        assert _log_in(client, "anna@example.org", first) == 400
        assert _log_in(client, "anna@example.org", second) == 303

        deactivated = run_hub("users", "deactivate", "anna@example.org", env=env)
        assert deactivated.returncode == 0, deactivated.stderr
        assert client.get("/en/coordinator/", follow_redirects=False).status_code == 303
        assert _log_in(client, "anna@example.org", second) != 303
    assert run_hub("users", "deactivate", "nobody@example.org", env=env).returncode == 2
