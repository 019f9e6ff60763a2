"""The glossary's concept tokens, made with the search's analysis (folding, Snowball, compounds)."""

from __future__ import annotations

from hub.search import analysis
from hub.search.glossary import GLOSSARY, concepts, word_concepts, written_words


def test_inflected_forms_become_the_concept_of_a_glossary_form_with_the_same_stem() -> None:
    # "meubels", "hergebruiken", "tenders" are not in the glossary as written: their stems are.
    assert "hergebruiken" not in GLOSSARY["reuse"] and "awarded" in GLOSSARY["award"]
    assert list(concepts("We hergebruiken de meubels", "nl")) == ["reuse", "furniture"]
    assert list(concepts("Reusing furniture", "en")) == ["reuse", "furniture"]
    assert list(concepts("Chairs, seating and stoelen")) == ["chair", "chair", "chair"]


def test_both_languages_meet_in_one_concept_whatever_the_text_says_it_is() -> None:
    assert list(concepts("Hergebruikt meubilair")) == list(concepts("reused furniture"))
    assert list(concepts("Hergebruikt meubilair", "nl")) == list(concepts("reused furniture", "en"))


def test_a_compound_of_glossary_words_becomes_their_concepts() -> None:
    assert list(concepts("kantoormeubilair")) == ["office", "furniture"]
    assert list(concepts("bureaustoelen", "nl")) == ["chair"]  # "bureau" is no glossary word
    assert word_concepts("werkkleding", "nl") == ("clothing",)  # a glossary word itself


def test_a_glossary_form_of_several_words_is_found_however_it_is_joined() -> None:
    assert list(concepts("second-hand laptops", "en")) == ["second_hand", "laptop"]
    assert list(concepts("second hand laptops", "en")) == ["second_hand", "laptop"]
    assert list(concepts("secondhand laptops", "en")) == ["second_hand", "laptop"]
    assert list(concepts("a take-back scheme", "en")) == ["take_back", analysis.stem("scheme", "en")]


def test_other_words_become_their_snowball_stem_in_the_texts_language() -> None:
    assert list(concepts("Oplossingen", "nl")) == [analysis.stem("oplossingen", "nl")]
    assert list(concepts("solutions", "en")) == [analysis.stem("solutions", "en")]
    # Unknown language: the shorter stem of the two, the same token for both languages' texts.
    assert list(concepts("containers")) == ["contain"]


def test_accents_case_stop_words_numbers_and_short_words_are_left_out_or_folded() -> None:
    assert list(concepts("Coördinatie", "nl")) == list(concepts("coordinatie", "nl"))
    assert list(concepts("De pilot van 2024 in fase 2", "nl")) == []
    assert list(concepts("Our pilot and it", "en")) == []
    assert list(concepts("ab", "en")) == []


def test_written_words_name_a_concept_as_the_text_writes_it() -> None:
    text = "Wij hergebruiken Meubels en Second-Hand bureaustoelen; kantoormeubilair"
    wanted = {"reuse", "furniture", "second_hand", "chair", "office"}
    assert written_words(text, wanted) == {
        "reuse": "hergebruiken",
        "furniture": "meubels",
        "second_hand": "second-hand",
        "chair": "bureaustoelen",
        "office": "kantoormeubilair",
    }
    assert written_words("Café-inrichting", {"furniture"}, "nl") == {"furniture": "inrichting"}
    assert written_words("nothing here", {"reuse"}) == {}


def test_words_are_stemmed_in_the_language_asked_for() -> None:
    # Dutch "kosten" and English "costs" are both the glossary's cost; in English a Dutch
    # compound is not split, in Dutch it is.
    assert list(concepts("kosten", "nl")) == list(concepts("costs", "en")) == ["cost"]
    assert list(concepts("straatmeubilair", "nl")) == ["furniture"]
    assert list(concepts("straatmeubilair", "en")) == [analysis.stem("straatmeubilair", "en")]
