"""A programme's spreadsheet as a source, in a real browser and in both languages: the coordinator
downloads the template, fills a row, previews the file (the mapping is proposed, nothing saved),
saves the source and runs it. News, so that the pilots other browser tests edit stay the demo's."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.browser.conftest import axe_violations, log_in

WORDS = {
    "nl": {
        "title": "Titel (Nederlands)",
        "preview": "Bestand bekijken",
        "save": "Opslaan",
        "added": "Toegevoegd",
    },
    "en": {"title": "Title (Dutch)", "preview": "Preview the file", "save": "Save", "added": "Added"},
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_filled_template_is_previewed_saved_and_synced(page: Any, lang: str, tmp_path: Path) -> None:
    words = WORDS[lang]
    title = f"Browsertest: nieuws uit een rekenblad ({lang})"
    log_in(page)
    page.goto(f"/{lang}/coordinator/sources/new")
    with page.expect_download() as download:
        page.get_by_role("link", name=("Nieuws" if lang == "nl" else "News") + " (.xlsx)").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=1, value=f"BT-{lang}")  # the example row, made a record of ours
    sheet.cell(row=2, column=header.index(words["title"]) + 1, value=title)
    filled = tmp_path / f"news-{lang}.xlsx"
    book.save(filled)

    page.get_by_label("Naam" if lang == "nl" else "Name").first.fill(f"Werkblad {lang}")
    page.get_by_label("Sleutel" if lang == "nl" else "Key").fill(f"browser-sheet-{lang}")
    page.locator("#f-upload").set_input_files(str(filled))
    page.get_by_role("button", name=words["preview"]).click()
    preview = page.locator("section.preview")
    assert title in preview.inner_text()
    assert "1" in preview.inner_text()
    columns = page.locator("#f-columns").input_value()
    assert "title_nl = " in columns and "published_at = " in columns
    assert axe_violations(page) == []

    page.get_by_role("button", name=words["save"], exact=True).click()
    page.wait_for_url(re.compile(rf".*/{lang}/coordinator/sources/\d+$"))
    source_page = page.url
    page.locator("form[action$='/run'] button").first.click()
    deadline = time.monotonic() + 30
    runs = page.locator("a[href*='/coordinator/runs/']")
    while runs.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
        page.goto(source_page)
    runs.first.click()
    stats = page.locator("dl.stats")
    running = page.locator('meta[http-equiv="refresh"]')  # a page that reloads itself every 5 s
    while time.monotonic() < deadline and (running.count() or stats.locator("dd").first.inner_text() != "1"):
        time.sleep(0.5)
        page.reload()
    assert words["added"] in stats.inner_text()
    assert stats.locator("div").first.locator("dd").inner_text() == "1"
    assert axe_violations(page) == []
