"""Every way of installing the hub serves Dutch: the wheel carries the compiled catalogs (the
build hook, ``hatch_build.py``, compiles them; no ``pybabel compile`` by hand)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_the_compiled_catalogs(tmp_path: Path) -> None:
    source = tmp_path / "source"  # what the wheel is made of, without any .mo: only the hook makes them
    for name in ("hub", "connectors", "bench", "locales"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    for name in ("pyproject.toml", "README.md", "hatch_build.py"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(tmp_path / "wheel"),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "wheel").glob("*.whl"))
    installed = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(installed)
    assert (installed / "hub" / "locales" / "nl" / "LC_MESSAGES" / "messages.mo").is_file()
    check = (
        "import hub, hub.i18n as i; "
        f"assert hub.__file__.startswith({str(installed)!r}), hub.__file__; "
        "assert not i.catalog_missing('nl'); "
        "print(i.translations('nl').ugettext('Search'))"
    )
    run = subprocess.run(
        [sys.executable, "-c", check],
        cwd=tmp_path,
        env={"PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Zoeken"
