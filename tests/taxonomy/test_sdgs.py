"""The vocabulary of the 17 Sustainable Development Goals: numbers, names, checking."""

from __future__ import annotations

import pytest

from hub.i18n import current_language
from hub.taxonomy import sdgs


def test_the_seventeen_goals_in_the_uns_order() -> None:
    assert [goal.number for goal in sdgs.SDGS] == list(range(1, 18))
    assert sdgs.BY_NUMBER[12].msgid == "Responsible consumption and production"
    assert sdgs.BY_NUMBER[17].msgid == "Partnerships for the goals"
    assert sorted(sdgs.FORM_VALUES, key=int) == [str(n) for n in range(1, 18)]


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ("Responsible consumption and production", "Climate action")),
        ("nl", ("Verantwoorde consumptie en productie", "Klimaatactie")),
    ],
)
def test_goals_are_named_in_the_current_language(language: str, names: tuple[str, str]) -> None:
    token = current_language.set(language)
    try:
        assert (sdgs.BY_NUMBER[12].label, sdgs.BY_NUMBER[13].label) == names
    finally:
        current_language.reset(token)


def test_numbers_are_checked_ordered_and_kept_once() -> None:
    assert sdgs.checked([13, 9, 13, 12]) == [9, 12, 13]
    assert [goal.number for goal in sdgs.goals([17, 9, 99])] == [9, 17]
    for bad in (0, 18, True, "12", None):
        assert not sdgs.is_sdg(bad)
    with pytest.raises(ValueError, match="18"):
        sdgs.checked([12, 18])
    with pytest.raises(ValueError):
        sdgs.checked([12, "x"])  # type: ignore[list-item]
