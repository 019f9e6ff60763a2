"""Catalogs are complete and compiled; negotiation and formatting follow the language."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from hub import i18n

LOCALES = Path(__file__).parent.parent / "locales"


def catalog(language: str):  # type: ignore[no-untyped-def]
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def template_ids() -> set[str]:
    with (LOCALES / "messages.pot").open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_catalog_is_complete(language: str) -> None:
    messages = [m for m in catalog(language) if m.id]
    untranslated = [
        m.id for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not untranslated, f"untranslated in {language}: {untranslated}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy}"
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in messages}
    assert template_ids() <= ids, f"missing from {language}: {template_ids() - ids}"


def test_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    """Every string marked in the code and templates is in messages.pot (run `make messages`)."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-o",
            str(fresh),
            "--no-location",
            "--omit-header",
            ".",
        ],
        check=True,
        cwd=LOCALES.parent,
    )
    with fresh.open("rb") as f:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert extracted == template_ids()


def test_placeholders_survive_translation() -> None:
    import re

    def names(text: str) -> set[str]:
        return set(re.findall(r"%\((\w+)\)", text))

    for message in catalog("nl"):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else " ".join(message.id)
        translated = message.string if isinstance(message.string, str) else " ".join(message.string)
        assert names(source) == names(translated), message.id


def test_compiled_dutch_catalog_is_loaded() -> None:
    assert not i18n.catalog_missing("nl")
    token = i18n.current_language.set("nl")
    try:
        assert i18n.gettext("Pilots in the hub") == "Pilots in de hub"
        assert i18n.ngettext("%(num)s pilot", "%(num)s pilots", 2) == "2 pilots"
    finally:
        i18n.current_language.reset(token)


@pytest.mark.parametrize(
    ("accept", "cookie", "expected"),
    [
        (None, None, "nl"),
        ("en-US,en;q=0.9", None, "en"),
        ("de-DE,de;q=0.9", None, "nl"),
        ("nl;q=0.2,en;q=0.7", None, "en"),
        ("en;q=0", None, "nl"),
        ("en;q=abc", None, "nl"),
        ("en", "nl", "nl"),
        ("en", "xx", "en"),
    ],
)
def test_negotiate(accept: str | None, cookie: str | None, expected: str) -> None:
    assert i18n.negotiate(accept, cookie) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ("1 jun 2017", "€ 40.000.000", "22,5%", "België")),
        ("en", ("1 Jun 2017", "€40,000,000", "22.5%", "Belgium")),
    ],
)
def test_formatting_follows_the_language(language: str, expected: tuple[str, ...]) -> None:
    token = i18n.current_language.set(language)
    try:
        got = (
            i18n.format_date(dt.date(2017, 6, 1)),
            i18n.format_euro(Decimal("40000000")).replace("\xa0", " "),
            i18n.format_percentage(Decimal("0.225"), 1),
            i18n.country_name("BE"),
        )
    finally:
        i18n.current_language.reset(token)
    assert got[0] == expected[0]
    assert got[1].replace(" ", "") == expected[1].replace(" ", "")
    assert got[2:] == expected[2:]


def utc(day: int, hour: int, minute: int = 30) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("language", "starts", "ends", "zone", "expected"),
    [
        ("en", utc(19, 8), utc(19, 15), "Europe/Brussels", ("Thursday, 19 March 2026 09:30", "16:30 CET")),
        ("nl", utc(19, 8), utc(19, 15), "Europe/Brussels", ("donderdag 19 maart 2026 09:30", "16:30 CET")),
        (
            "en",
            utc(19, 8),
            utc(20, 8),
            "Europe/Brussels",
            ("Thursday, 19 March 2026 09:30 CET", "Friday, 20 March 2026 09:30 CET"),
        ),
        # The clocks go forward at 02:00 on 29 March: the same day, but the zone's name changes.
        (
            "en",
            utc(28, 23),
            utc(29, 1),
            "Europe/Brussels",
            ("Sunday, 29 March 2026 00:30 CET", "Sunday, 29 March 2026 03:30 CEST"),
        ),
        ("en", utc(19, 8), None, "Europe/Brussels", ("Thursday, 19 March 2026 09:30 CET", "")),
        ("en", utc(19, 8), utc(19, 15), "Europe/London", ("Thursday, 19 March 2026 08:30", "15:30 GMT")),
    ],
    ids=["same-day", "same-day-nl", "next-day", "clocks-change", "no-end", "other-zone"],
)
def test_a_span_says_its_day_once_where_it_ends_that_day(
    language: str, starts: dt.datetime, ends: dt.datetime | None, zone: str, expected: tuple[str, str]
) -> None:
    token = i18n.current_language.set(language)
    try:
        assert i18n.format_zoned_span(starts, ends, zone) == expected
    finally:
        i18n.current_language.reset(token)


def test_labelled_enum_translates_its_label() -> None:
    from hub.pilots.models import PilotStatus

    token = i18n.current_language.set("nl")
    try:
        assert PilotStatus.COMPLETED.label == "Afgerond"
        assert PilotStatus("completed") is PilotStatus.COMPLETED
        assert PilotStatus.COMPLETED == "completed"
    finally:
        i18n.current_language.reset(token)


def test_a_stored_connector_problem_reads_in_the_reader_language() -> None:
    """A field's error keeps its reason as a message of its own, so both parts are translated."""
    from connectors.messages import Problem
    from connectors.targets import TARGETS

    with pytest.raises(Problem) as caught:
        TARGETS["pilot"].coerce_field("contract_value", "veel")
    stored = caught.value.message, caught.value.values  # what a run's error row keeps
    for language, expected in (
        ("nl", "contract_value: “veel” is geen getal"),
        ("en", "contract_value: “veel” is not a number"),
    ):
        token = i18n.current_language.set(language)
        try:
            assert i18n.describe(*stored) == expected
        finally:
            i18n.current_language.reset(token)


def test_the_dutch_says_je_never_u() -> None:
    """One register everywhere (README: translating): "je", as on the public pages."""
    with (Path(__file__).parent.parent / "locales" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    formal = re.compile(r"\b(u|uw|U|Uw|kunt u|heeft u)\b")
    found = [
        text
        for message in catalog
        if message.id
        for text in (message.string if isinstance(message.string, tuple | list) else [message.string])
        if text and formal.search(text)
    ]
    assert found == []
