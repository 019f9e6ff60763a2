"""Behaviour shared by records: bilingual fallbacks and impact reductions."""

from __future__ import annotations

from decimal import Decimal

from hub.pilots.models import Pilot


def test_localized_prefers_the_language_then_the_source_language() -> None:
    pilot = Pilot(title_nl="Hergebruik", title_en="", source_language="nl")
    assert pilot.localized("title", "nl") == ("Hergebruik", "nl", False)
    assert pilot.localized("title", "en") == ("Hergebruik", "nl", True)
    assert Pilot(title_nl="", title_en="", source_language="nl").localized("title", "en").text == ""


def test_reduction_needs_a_positive_baseline_and_a_result() -> None:
    pilot = Pilot(co2_baseline_t=Decimal("200"), co2_result_t=Decimal("150"))
    assert pilot.reduction("co2") == Decimal("0.25")
    assert Pilot(co2_baseline_t=Decimal("0"), co2_result_t=Decimal("0")).reduction("co2") is None
    assert Pilot(co2_baseline_t=Decimal("10")).reduction("co2") is None
    # A result above the baseline is an increase: a negative reduction, not hidden.
    assert Pilot(waste_baseline_t=Decimal("10"), waste_result_t=Decimal("12")).reduction("waste") == Decimal(
        "-0.2"
    )
