"""Re-extract the messages and update both catalogs: ``python locales/update.py``.

Dutch entries that are new come out empty (the catalog test fails until they are translated);
English entries are the msgids themselves, filled in here so that both catalogs are complete.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "locales" / "messages.pot"


def run(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def main() -> None:
    run(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "N_",
        "-o",
        str(POT),
        "--no-location",
        "--sort-output",
        "--omit-header",
        ".",
    )
    for language in ("nl", "en"):
        po = ROOT / "locales" / language / "LC_MESSAGES" / "messages.po"
        if po.exists():
            run(
                "update",
                "-i",
                str(POT),
                "-d",
                "locales",
                "-l",
                language,
                "--no-fuzzy-matching",
                "--ignore-obsolete",
            )
        else:
            run("init", "-i", str(POT), "-d", "locales", "-l", language)
    english = ROOT / "locales" / "en" / "LC_MESSAGES" / "messages.po"
    with english.open("rb") as f:
        catalog = read_po(f, locale="en")
    for message in catalog:
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = message.id  # (singular, plural): English has two forms too
        elif message.id and not message.string:
            message.string = message.id
    with english.open("wb") as f:
        write_po(f, catalog, omit_header=False, sort_output=True, no_location=True)


if __name__ == "__main__":
    main()
