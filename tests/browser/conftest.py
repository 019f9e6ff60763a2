"""Browser tests: Debian's Chromium driven by Playwright against a real ``hub serve`` process.

Screenshots go to ``test-artifacts/``. Without Chromium these tests skip, unless
``HUB_TEST_REQUIRE_BROWSER`` is set (CI), when they fail instead.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.factories import PASSWORD
from tests.servers import hub_environment, run_hub, serving_hub

CHROMIUM = Path(os.environ.get("HUB_TEST_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
COORDINATOR = "coordinator@example.org"


def _require(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("HUB_TEST_REQUIRE_BROWSER"):
            pytest.fail(f"{reason} (HUB_TEST_REQUIRE_BROWSER is set)")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require(CHROMIUM.exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def hub_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser suite's hub keeps its database and data (its maildir: ``var/maildir``)."""
    return tmp_path_factory.mktemp("browser-hub")


@pytest.fixture(scope="session")
def hub_url(hub_directory: Path) -> Iterator[str]:
    """The demo network served by a real hub process, with a coordinator of GDCA."""
    directory = hub_directory
    env = hub_environment(directory)
    created = run_hub(
        "users",
        "create",
        COORDINATOR,
        "--name",
        "Coördinator GDCA",
        "--password-stdin",
        "--coordinator",
        "gdca",
        env=env,
        stdin=PASSWORD + "\n",
    )
    if created.returncode != 0:  # the programme exists only after the demo: load it first
        assert run_hub("demo", env=env).returncode == 0
        created = run_hub(
            "users",
            "create",
            COORDINATOR,
            "--name",
            "Coördinator GDCA",
            "--password-stdin",
            "--coordinator",
            "gdca",
            env=env,
            stdin=PASSWORD + "\n",
        )
    assert created.returncode == 0, created.stderr
    with serving_hub(directory, "--demo", "--no-scheduler", env=env) as base:
        yield base


@pytest.fixture
def page(browser: Any, hub_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(base_url=hub_url, locale="nl-BE", bypass_csp=True)
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


PHONE, LAPTOP = 390, 1366  # the widths the pages are checked at


@contextmanager
def screen_of(browser: Any, hub_url: str, width: int, height: int = 844) -> Iterator[Any]:
    """A page in a fresh browser context of ``width`` pixels (a phone's 390, a laptop's 1366)."""
    context = browser.new_context(
        base_url=hub_url, viewport={"width": width, "height": height}, bypass_csp=True
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """axe-core's violations of the given impacts on the current page."""
    _require(AXE.exists(), f"axe-core is not installed ({AXE}); run npm ci --prefix tests/browser")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"
    )
    violations = json.loads(result)["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
        if v["impact"] in impacts
    ]


def log_in(page: Any, email: str = COORDINATOR, password: str = PASSWORD) -> None:
    page.goto("/nl/login")
    page.get_by_label("E-mailadres", exact=True).fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url("**/nl/coordinator/")
