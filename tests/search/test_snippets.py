from __future__ import annotations

from markupsafe import Markup

from hub.search.query import parse
from hub.search.snippets import snippet
from hub.templating import make_templates


def marked(html: str) -> list[str]:
    return [part.split("</mark>")[0] for part in html.split("<mark>")[1:]]


def test_marks_stems_in_both_languages() -> None:
    text = "Twee kantoren, een kantoor; offices and an office."
    assert marked(snippet(text, "offices")) == ["offices", "office"]
    # Dutch forms, and through the glossary the English words of the same concept.
    assert marked(snippet(text, "kantoor")) == ["kantoren", "kantoor", "offices", "office"]
    text = "Hergebruikt meubilair: reused furniture and reusing chairs."
    assert marked(snippet(text, "hergebruik")) == ["Hergebruikt", "reused", "reusing"]


def test_marks_compounds_and_the_word_being_typed() -> None:
    assert marked(snippet("Nieuwe bureaustoelen en straatmeubilair", "stoel meubilair")) == [
        "bureaustoelen",
        "straatmeubilair",
    ]
    assert marked(snippet("Refurbished laptops", "refurb")) == ["Refurbished"]  # a prefix of the last word


def test_marks_words_of_the_same_concept() -> None:
    # The glossary joins "meubilair" and "furniture": a Dutch search marks the English word.
    assert marked(snippet("Second-hand furniture for the city", "meubilair")) == ["furniture"]


def test_escapes_everything() -> None:
    html = snippet('<script>alert("x")</script> & reuse <b>', "reuse")
    assert isinstance(html, Markup)
    assert html == ("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; <mark>reuse</mark> &lt;b&gt;")
    assert "<mark>&lt;b&gt;</mark>" not in snippet("<b>bold</b>", "b")


def test_a_window_around_the_best_cluster() -> None:
    before = " ".join(f"a{n}" for n in range(100))
    after = " ".join(f"z{n}" for n in range(100))
    text = f"Reuse once. {before} reuse of chairs, chairs reused {after}"
    html = snippet(text, "reuse chairs", words=10)
    assert html.startswith("…") and html.endswith("…")
    assert marked(html) == ["reuse", "chairs", "chairs", "reused"]  # not the lone first "Reuse"
    assert len(html.striptags().split()) <= 12


def test_uncut_text_has_no_ellipsis_and_no_match_shows_the_beginning() -> None:
    assert snippet("Reuse of office chairs", "chairs") == "Reuse of office <mark>chairs</mark>"
    html = snippet(" ".join(["word"] * 50), "absent", words=5)
    assert html == "word word word word word…"


def test_nothing_to_show() -> None:
    assert snippet("", "reuse") == ""
    assert snippet(None, "reuse") == ""
    assert snippet("Some text", "") == ""  # no words to look for
    assert snippet("!!!", "reuse") == ""
    assert snippet("Reuse", parse("reuse")) == "<mark>Reuse</mark>"


def test_accents_and_case_are_folded() -> None:
    assert marked(snippet("De coördinatie van HERGEBRUIK", "coordinatie hergebruik")) == [
        "coördinatie",
        "HERGEBRUIK",
    ]


def test_is_a_template_filter() -> None:
    env = make_templates().env
    html = env.from_string("{{ text | snippet(q) }}").render(text="a <b> reuse", q="reuse")
    assert html == "a &lt;b&gt; <mark>reuse</mark>"
