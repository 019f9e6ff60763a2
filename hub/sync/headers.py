"""A spreadsheet's words for the fields a source feeds: headers and coded values, in both languages.

The hub writes a target's fields under these headers (the templates of ``hub.sync.templates``; the
public downloads use the same words) in the reader's language, and reads them back in either: an
uploaded file's header row is matched against each field's header in Dutch and in English and
against the field's own name, so a filled template or a downloaded list needs no column mapping.
Coded values (a status, a country, a product group) are read the same way: the code, or its name
in either language (``spoken_codes``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Sequence

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.targets import TARGETS
from hub import i18n
from hub.communities.models import MeetingMode
from hub.i18n import N_, LabelledEnum
from hub.lessons.models import LessonKind
from hub.organisations.models import Role, Sector
from hub.pilots.models import PilotStatus
from hub.records import LANGUAGES
from hub.taxonomy.models import Phase, ProductGroup, Strategy

ID = N_("Number")  # the id column: the record's number at the source (the downloads' "Number")
LINK = N_("Page")  # the address of the record's own page
BILINGUAL = N_("%(field)s (%(language)s)")
# Each field's header; a field in two languages (title_nl, title_en) by its name without the language.
HEADERS = {
    "title": N_("Title"),
    "summary": N_("Summary"),
    "country": N_("Country"),
    "status": N_("Status"),
    "phase": N_("Phase"),
    "product_group": N_("Product group"),
    "starts_on": N_("Start"),
    "ends_on": N_("End"),
    "contract_value": N_("Contract value"),
    "published_at": N_("Published"),
    "community_id": N_("Community number"),
    "starts_at": N_("Starts at"),
    "ends_at": N_("Ends at"),
    "timezone": N_("Time zone"),
    "mode": N_("How"),
    "location": N_("Place"),
    "online_url": N_("Link to join online"),
    "capacity": N_("Places"),
    "agenda": N_("Agenda"),
    "body": N_("What was learned"),
    "resources": N_("Resources needed"),
    "evidence": N_("Evidence of success"),
    "transfer": N_("Potential for transfer"),
    "source_language": N_("Source language"),
    "strategy": N_("Strategy"),
    "kind": N_("Kind"),
    "pilots": N_("Pilots"),
    "name": N_("Name"),
    "sector": N_("Sector"),
    "city": N_("City"),
    "website": N_("Website"),
    "description": N_("Description"),
    "role": N_("Role"),
    "joined_on": N_("Joined on"),
}
# The coded fields whose values are one of a list the hub keeps in code.
ENUMS: dict[str, type[LabelledEnum]] = {
    "status": PilotStatus,
    "phase": Phase,
    "sector": Sector,
    "kind": LessonKind,
    "mode": MeetingMode,
    "role": Role,
}


def said(message: str, language: str, /, **values: str) -> str:
    text = str(i18n.translations(language).ugettext(message))
    return text % values if values else text


def header(field: str, language: str) -> str:
    """``field``'s header in ``language`` ("Titel (Nederlands)" for title_nl on a Dutch sheet)."""
    base, _, suffix = field.rpartition("_")
    if suffix in LANGUAGES and base in HEADERS:
        name = Locale(language).languages.get(suffix, suffix)
        return said(BILINGUAL, language, field=said(HEADERS[base], language), language=name)
    return said(HEADERS[field], language)


def folded(text: object) -> str:
    """A header or value as it is compared: case, spacing and a required mark (" *") aside."""
    return " ".join(str(text).split()).rstrip(" *:").casefold()


@dataclasses.dataclass(frozen=True)
class Proposal:
    """The mapping a header row suggests: target field -> column, the id and link columns, and the
    columns no field takes (shown, then ignored)."""

    columns: dict[str, str]
    id_column: str | None
    link_column: str | None
    unknown: list[str]


def recognise(header_row: Sequence[object], target: str) -> Proposal:
    """What each column of ``header_row`` feeds of ``target``, by its header in either language."""
    spelt = [(field, field, functools.partial(header, field)) for field in TARGETS[target].fields]
    spelt += [("<id>", "id", functools.partial(said, ID)), ("<link>", "url", functools.partial(said, LINK))]
    names = {spelling: field for field, name, said_in in spelt for spelling in _spellings(name, said_in)}
    columns: dict[str, str] = {}
    unknown: list[str] = []
    for cell in header_row:
        column = " ".join(str(cell).split()) if cell is not None else ""
        if not column:
            continue
        field = names.get(folded(column))
        if field is None or field in columns:
            unknown.append(column)
        else:
            columns[field] = column
    return Proposal(
        columns={field: column for field, column in columns.items() if not field.startswith("<")},
        id_column=columns.get("<id>"),
        link_column=columns.get("<link>"),
        unknown=unknown,
    )


def _spellings(name: str, in_language: Callable[[str], str]) -> set[str]:
    return {folded(name), *(folded(in_language(language)) for language in LANGUAGES)}


def spoken_codes(session: Session) -> dict[str, dict[str, str]]:
    """Per coded field, each code and each of its names in either language (folded) -> the code."""
    spoken: dict[str, dict[str, str]] = {
        field: _names(((member.value, member.msgid) for member in enum), said)
        for field, enum in ENUMS.items()
    }
    for field, model in (("product_group", ProductGroup), ("strategy", Strategy)):
        rows = session.execute(select(model.code, model.name_nl, model.name_en)).all()
        spoken[field] = {folded(name): code for code, *names in rows for name in (code, *names) if name}
    locales = {language: Locale(language) for language in LANGUAGES}
    spoken["country"] = _names(
        ((code, code) for code in i18n.country_codes()),
        lambda code, language: str(locales[language].territories.get(code, code)),
    )
    spoken["source_language"] = _names(
        ((code, code) for code in LANGUAGES), lambda code, language: str(locales[language].languages[code])
    )
    return spoken


def _names(codes: Iterable[tuple[str, str]], name: Callable[[str, str], str]) -> dict[str, str]:
    """Each code, and its name in each language, folded -> the code."""
    result: dict[str, str] = {}
    for code, key in codes:
        result[folded(code)] = code
        for language in LANGUAGES:
            result.setdefault(folded(name(key, language)), code)
    return result
