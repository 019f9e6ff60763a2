"""Lesson suggestions for a pilot: structured matches, cross-language text, exclusions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from hub.lessons.models import Lesson, LessonKind, LessonPilotLink, LinkKind
from hub.lessons.suggest import Index, pilot_features, suggest_lessons
from hub.programmes.models import Programme
from hub.search.glossary import concepts
from hub.taxonomy.models import Phase
from tests import factories


def lesson(session: Session, programme: Programme, **fields: Any) -> Lesson:
    values: dict[str, Any] = {"kind": LessonKind.TIP, "phase": Phase.NEEDS_ASSESSMENT}
    record = Lesson(programme=programme, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def filler(session: Session, programme: Programme) -> None:
    """Unrelated lessons, so that the IDF of the lesson base means something."""
    lesson(
        session,
        programme,
        title_nl="Voedselverspilling is moeilijk te meten",
        body_nl="Zonder nulmeting viel de vermindering van voedselverspilling niet aan te tonen.",
    )
    lesson(
        session,
        programme,
        title_en="Use recycled asphalt where possible",
        body_en="For cycle paths and local roads, recycled asphalt is often good enough.",
    )


def test_the_glossary_maps_both_languages_to_one_concept() -> None:
    assert list(concepts("Hergebruikt meubilair")) == list(concepts("reused furniture"))
    assert list(concepts("kantoormeubilair")) == ["office", "furniture"]
    assert "textiles" in list(concepts("Afgedankt textiel")) and "textiles" in list(concepts("textiles"))


def test_a_dutch_lesson_is_suggested_for_an_english_pilot(session: Session) -> None:
    programme = factories.programme(session)
    filler(session, programme)
    dutch = lesson(
        session,
        programme,
        phase=Phase.END_OF_LIFE,
        title_nl="Hergebruikt meubilair via een interne marktplaats",
        body_nl="Diensten bieden overtollig meubilair aan; hergebruik voorkwam nieuwe aankopen.",
        title_en="",
        body_en="",
    )
    pilot = factories.pilot(
        session,
        programme,
        title_nl="",
        title_en="Reused office furniture",
        summary_en="The city buys reused furniture for its offices.",
        phase=Phase.TENDER,
    )

    suggestions = suggest_lessons(session, pilot_id=pilot.id)

    assert suggestions[0].id == dutch.id
    assert suggestions[0].score > 0
    (words,) = [value for code, value in suggestions[0].reasons if code == "words"]
    assert {"furniture", "reuse"} <= set(words)
    assert [code for code, _ in suggestions[0].reasons] == ["words"]


def test_product_group_strategy_and_phase_are_reasons(session: Session) -> None:
    programme = factories.programme(session)
    filler(session, programme)
    food = factories.product_group(session, "food")
    reuse = factories.strategy(session, "reuse")
    other = factories.strategy(session, "recycle")
    matching = lesson(
        session,
        programme,
        product_group_id=food.id,
        strategy_id=reuse.id,
        phase=Phase.TENDER,
        title_en="Reusable crates for deliveries",
    )
    general = lesson(
        session,
        programme,
        strategy_id=other.id,
        title_en="Allow variants",
        body_en="Allowing variants gives suppliers room to propose circular alternatives.",
    )
    pilot = factories.pilot(
        session,
        programme,
        product_group_id=food.id,
        strategies=[reuse],
        phase=Phase.TENDER,
        title_en="School meals",
        summary_en="Suppliers may propose variants.",
    )

    suggestions = suggest_lessons(session, pilot_id=pilot.id)

    assert [s.id for s in suggestions[:2]] == [matching.id, general.id]
    reasons = dict(suggestions[0].reasons)
    assert reasons["product_group"] == "food"
    assert reasons["strategy"] == "reuse"
    assert reasons["phase"] == "tender"
    # A general lesson (no product group) still ranks on its text.
    assert {"variant", "supplier"} <= set(dict(suggestions[1].reasons)["words"])
    assert suggestions[0].score > suggestions[1].score > 0


def test_withdrawn_and_linked_lessons_are_left_out(session: Session) -> None:
    programme = factories.programme(session)
    filler(session, programme)
    group = factories.product_group(session, "furniture")
    pilot = factories.pilot(session, programme, product_group_id=group.id, title_en="Office chairs")
    texts = {"product_group_id": group.id, "title_en": "Office chairs through reuse"}
    kept = lesson(session, programme, **texts)
    lesson(session, programme, withdrawn_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), **texts)
    linked = lesson(session, programme, **texts)
    drawn = lesson(session, programme, pilots=[pilot], **texts)
    session.add(LessonPilotLink(lesson_id=linked.id, pilot_id=pilot.id, kind=LinkKind.APPLIES_TO))
    session.flush()

    suggested = [s.id for s in suggest_lessons(session, pilot_id=pilot.id)]

    assert suggested == [kept.id]
    assert drawn.id not in suggested


def test_an_index_serves_many_pilots_and_respects_the_limit(session: Session) -> None:
    programme = factories.programme(session)
    group = factories.product_group(session, "textiles")
    for n in range(12):
        lesson(session, programme, product_group_id=group.id, title_en=f"Textiles lesson {n}")
    index = Index.of_lessons(session)
    first = factories.pilot(session, programme, product_group_id=group.id)
    second = factories.pilot(session, programme)

    assert len(index.rank(pilot_features(session, first.id), 5)) == 5
    assert index.rank(pilot_features(session, second.id), 5) == []
