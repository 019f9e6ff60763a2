"""What a typed item becomes in the database, per kind of record a source can feed.

Every reference is checked here (product group, community, vocabularies, lengths), before any
write, so that one bad entry becomes an error on that entry instead of a failed batch. A source's
records are its programme's: a record of another programme they refer to (a meeting's community)
is such an error too.
Synced HTML is sanitised with nh3 on ingest: news keeps an allow-list of markup, plain-text
fields (pilot summaries, descriptions, lessons) keep only the text.
"""

from __future__ import annotations

import dataclasses
import functools
import html
from collections.abc import Callable, Mapping
from typing import Any

import nh3
from sqlalchemy import String, Table, select
from sqlalchemy.orm import Session

from connectors.messages import N_, Problem
from hub.communities import writes as meeting_writes
from hub.communities.models import Community, Meeting, MeetingMode
from hub.i18n import country_codes
from hub.lessons.models import Lesson, LessonKind
from hub.news import writes as news_writes
from hub.news.models import NewsItem
from hub.organisations.models import Organisation, Role, Sector
from hub.pilots import fields as pilot_fields
from hub.pilots.models import Pilot, PilotStatus
from hub.records import LANGUAGES
from hub.sync import headers
from hub.sync.bulk import column_defaults
from hub.taxonomy.models import Phase, ProductGroup, Strategy

ALLOWED_TAGS = {"p", "a", "b", "i", "em", "strong", "ul", "ol", "li", "br", "blockquote", "h2", "h3"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def clean_html(value: str) -> str:
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def plain_text(value: str) -> str:
    """The text of an HTML fragment, without any markup (for fields shown as plain text)."""
    if "<" not in value and "&" not in value:
        return value.strip()  # no markup, no entities: what nh3 would give back (fast path)
    return html.unescape(nh3.clean(value, tags=set(), clean_content_tags={"script", "style"})).strip()


@dataclasses.dataclass
class Lookups:
    """Reference data a run checks items against, loaded once per run."""

    product_groups: dict[str, int]
    community_ids: set[int]
    strategies: dict[str, int] = dataclasses.field(default_factory=dict)
    # Per column that refers to a programme's record: the programme of each id it may hold. A
    # source's records belong to its programme, and so must every record they refer to.
    owners: dict[str, dict[int, int]] = dataclasses.field(default_factory=dict)
    # Per coded field, what a spreadsheet may say for a code (its name in either language) -> the code.
    spoken: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Lookups:
        communities = dict(session.execute(select(Community.id, Community.programme_id)).all())
        return cls(
            product_groups=dict(session.execute(select(ProductGroup.code, ProductGroup.id)).all()),
            community_ids=set(communities),
            strategies=dict(session.execute(select(Strategy.code, Strategy.id)).all()),
            owners={"community_id": communities},
            spoken=headers.spoken_codes(session),
        )

    def code(self, field: str, value: str) -> str:
        """The code ``value`` stands for: itself, or the code it names ("Lopend" -> "running")."""
        return self.spoken.get(field, {}).get(headers.folded(value), value)

    def check_programme(self, values: Mapping[str, Any], programme_id: int) -> None:
        """Problem if ``values`` refer to a record of another programme than ``programme_id``."""
        for column, owners in self.owners.items():
            if column in values and owners.get(values[column]) != programme_id:
                raise Problem(
                    N_("%(field)s: %(value)s belongs to another programme than this source"),
                    field=column,
                    value=values[column],
                )


Build = Callable[[Mapping[str, Any], Lookups], dict[str, Any]]

# Columns the sync itself keeps (identity, origin, bookkeeping), not the source's fields.
MANAGED = frozenset(
    {
        "uid",
        "home_hub",
        "external_id",
        "origin_url",
        "withdrawn_at",
        "is_demo",
        "created_at",
        "updated_at",
        "source_id",
        "content_hash",
        "local_fields",
    }
)


@dataclasses.dataclass(frozen=True, eq=False)
class Kind:
    """A kind of record a source feeds. ``first_seen``: fields that, when the source leaves them
    empty, take the moment the hub first saw the record (a news item's date orders the list)."""

    name: str
    model: type[Any]
    build: Build
    first_seen: tuple[str, ...] = ()

    @property
    def table(self) -> Table:
        table: Table = self.model.__table__
        return table

    @functools.cached_property
    def max_lengths(self) -> dict[str, int]:
        """The longest text each column holds (PostgreSQL refuses longer; SQLite would keep it)."""
        return {
            column.name: column.type.length
            for column in self.table.columns
            if isinstance(column.type, String) and column.type.length
        }

    @functools.cached_property
    def blank(self) -> dict[str, Any]:
        """Every column a source owns, at its default: a field the source leaves empty is cleared.

        Every row of a batch then has the same columns, which ``executemany`` needs.
        """
        skipped = MANAGED | set(self.first_seen)
        return {name: value for name, value in column_defaults(self.table).items() if name not in skipped}

    def row(self, fields: Mapping[str, Any], lookups: Lookups, *, programme_id: int) -> dict[str, Any]:
        built = self.build(fields, lookups)
        lookups.check_programme(built, programme_id)
        values = {**self.blank, **built}
        if "programme_id" in self.table.c:
            values["programme_id"] = programme_id
        if "source_language" not in built:  # a source that says its language is believed
            values["source_language"] = _source_language(values)
        for name, value in built.items():  # the defaults fit their columns
            length = self.max_lengths.get(name)
            if length and isinstance(value, str) and len(value) > length:
                raise Problem(N_("%(field)s is longer than %(max)s characters"), field=name, max=length)
        return values


def _source_language(values: Mapping[str, Any]) -> str:
    for field in ("title", "name", "description", "summary", "body"):
        if values.get(f"{field}_nl") and not values.get(f"{field}_en"):
            return "nl"
        if values.get(f"{field}_en"):
            return "en"
    return "nl"


def _copy(fields: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: fields[name] for name in names if name in fields}


def _choice(value: str, allowed: type[Any], field: str, lookups: Lookups) -> Any:
    try:
        return allowed(lookups.code(field, value))
    except ValueError:
        codes = ", ".join(member.value for member in allowed)
        raise Problem(
            N_("%(field)s: “%(value)s” is not one of %(codes)s"), field=field, value=value, codes=codes
        ) from None


def _country(value: str, lookups: Lookups) -> str:
    code = lookups.code("country", value).upper()
    if code not in country_codes():
        raise Problem(N_("country: “%(value)s” is not a country code (ISO 3166, e.g. BE)"), value=value)
    return code


def _product_group(value: str, lookups: Lookups) -> int:
    group = lookups.product_groups.get(lookups.code("product_group", value))
    if group is None:
        raise Problem(N_("product_group: “%(value)s” is not a product group of this hub"), value=value)
    return group


def _bilingual_text(fields: Mapping[str, Any], name: str, clean: Callable[[str], str]) -> dict[str, Any]:
    return {
        f"{name}_{lang}": clean(fields[f"{name}_{lang}"])
        for lang in ("nl", "en")
        if f"{name}_{lang}" in fields
    }


def build_news(fields: Mapping[str, Any], lookups: Lookups) -> dict[str, Any]:
    values = _copy(fields, "title_nl", "title_en", "published_at")
    values.update(_bilingual_text(fields, "summary", clean_html))
    values["source_language"] = _source_language(values)  # told by the texts the source gives
    news_writes.check_row(values)  # the news item's own rules, as on every path
    return values


def build_pilot(fields: Mapping[str, Any], lookups: Lookups) -> dict[str, Any]:
    values = _copy(fields, "title_nl", "title_en", "starts_on", "ends_on", "contract_value")
    values.update(_bilingual_text(fields, "summary", plain_text))
    values["country"] = _country(fields["country"], lookups)
    values["status"] = _choice(fields["status"], PilotStatus, "status", lookups)
    values["phase"] = _choice(fields["phase"], Phase, "phase", lookups)
    if "product_group" in fields:
        values["product_group_id"] = _product_group(fields["product_group"], lookups)
    pilot_fields.check_row(values)
    return values


def build_meeting(fields: Mapping[str, Any], lookups: Lookups) -> dict[str, Any]:
    values = _copy(
        fields,
        "title_nl",
        "title_en",
        "starts_at",
        "ends_at",
        "timezone",
        "location",
        "online_url",
        "capacity",
    )
    values.update(_bilingual_text(fields, "agenda", plain_text))
    if "mode" in fields:
        values["mode"] = _choice(fields["mode"], MeetingMode, "mode", lookups)
    if fields["community_id"] not in lookups.community_ids:
        raise Problem(N_("community_id: there is no community %(value)s"), value=fields["community_id"])
    values["community_id"] = fields["community_id"]
    meeting_writes.check_meeting_row(values)  # the meeting's own rules, as on every path
    return values


def build_organisation(fields: Mapping[str, Any], lookups: Lookups) -> dict[str, Any]:
    values = _copy(fields, "name", "city", "website")
    values.update(_bilingual_text(fields, "description", plain_text))
    values["sector"] = _choice(fields["sector"], Sector, "sector", lookups)
    values["country"] = _country(fields["country"], lookups)
    return values


def build_lesson(fields: Mapping[str, Any], lookups: Lookups) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("title", "body", "resources", "evidence", "transfer"):
        values.update(_bilingual_text(fields, name, plain_text))
    values["kind"] = _choice(fields["kind"], LessonKind, "kind", lookups)
    if "phase" in fields:
        values["phase"] = _choice(fields["phase"], Phase, "phase", lookups)
    if "product_group" in fields:
        values["product_group_id"] = _product_group(fields["product_group"], lookups)
    if "strategy" in fields:
        strategy = lookups.strategies.get(lookups.code("strategy", fields["strategy"]))
        if strategy is None:
            raise Problem(N_("strategy: “%(value)s” is not a strategy of this hub"), value=fields["strategy"])
        values["strategy_id"] = strategy
    if "source_language" in fields:
        language = lookups.code("source_language", fields["source_language"])
        if language not in LANGUAGES:
            raise Problem(
                N_("%(field)s: “%(value)s” is not one of %(codes)s"),
                field="source_language",
                value=fields["source_language"],
                codes=", ".join(LANGUAGES),
            )
        values["source_language"] = language
    return values


def participation_role(fields: Mapping[str, Any], lookups: Lookups) -> Role | None:
    """The role an organisation's row gives it in the source's programme, if any."""
    return _choice(fields["role"], Role, "role", lookups) if "role" in fields else None


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("news", NewsItem, build_news, first_seen=("published_at",)),
        Kind("pilot", Pilot, build_pilot),
        Kind("meeting", Meeting, build_meeting),
        Kind("organisation", Organisation, build_organisation),
        Kind("lesson", Lesson, build_lesson),
    )
}
