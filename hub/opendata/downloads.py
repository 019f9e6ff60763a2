"""CSV and JSON downloads of the public lists, written chunk by chunk as the rows arrive.

Each kind turns a row into a JSON object; the CSV has the same fields flattened: a bilingual
``{"nl": ..., "en": ...}`` becomes two columns (``title_nl``, ``title_en``), any other object
``<field>_<key>`` columns, and a list one cell of values separated by "; ".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from hub.news.models import NewsItem
from hub.organisations.services import OrganisationRow
from hub.pilots.services import PilotRow
from hub.programmes.models import Programme

Document = dict[str, Any]

# Spreadsheets run a cell beginning with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def bilingual(nl: str | None, en: str | None) -> dict[str, str | None]:
    return {"nl": nl or None, "en": en or None}


def date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def moment(value: dt.datetime) -> str:
    """ISO 8601 in UTC; a naive value (SQLite gives those back) is taken as UTC."""
    return value.astimezone(dt.UTC).isoformat()


def money(amount: Decimal | None) -> dict[str, str] | None:
    return {"amount": str(amount), "currency": "EUR"} if amount is not None else None


def _record(record: Any, url: str, **fields: Any) -> Document:
    """A hub record: its id, uid and page, ``fields``, then the hub it comes from and when it changed."""
    return {
        "id": record.id,
        "uid": record.uid,
        "url": url,
        **fields,
        "home_hub": record.home_hub,
        "demo": record.is_demo,
        "updated_at": moment(record.updated_at),
    }


def pilot_json(row: PilotRow, url: str) -> Document:
    """A pilot as the former ``/api/v1/pilots`` gave it (its use case lives on in the downloads)."""
    return _record(
        row,
        url,
        title=bilingual(row.title_nl, row.title_en),
        summary=bilingual(row.summary_nl, row.summary_en),
        source_language=row.source_language,
        programme=row.programme,
        country=row.country,
        product_group=row.product_group,
        strategies=row.strategies,
        phase=row.phase,
        status=row.status.value,
        starts_on=date(row.starts_on),
        ends_on=date(row.ends_on),
        contract_value=money(row.contract_value),
    )


def organisation_json(row: OrganisationRow, url: str) -> Document:
    return _record(
        row,
        url,
        name=row.name,
        sector=row.sector.value,
        country=row.country,
        city=row.city or None,
        website=row.website,
        description=bilingual(row.description_nl, row.description_en),
        participations=[f"{code}:{role.value}" for code, role in row.participations],
    )


def programme_json(programme: Programme, url: str) -> Document:
    return _record(
        programme,
        url,
        code=programme.code,
        short_name=programme.short_name,
        name=bilingual(programme.name_nl, programme.name_en),
        description=bilingual(programme.description_nl, programme.description_en),
        region=bilingual(programme.region_nl, programme.region_en),
        countries=list(programme.countries or []),
        starts_on=date(programme.starts_on),
        ends_on=date(programme.ends_on),
        website=programme.website,
    )


def news_json(item: NewsItem, programme: str) -> Document:
    """A news item; its summary is HTML (cleaned with an allow-list when it was synced)."""
    return {
        "id": item.id,
        "uid": item.uid,
        "url": item.origin_url,
        "programme": programme,
        "title": bilingual(item.title_nl, item.title_en),
        "summary_html": bilingual(item.summary_nl, item.summary_en),
        "source_language": item.source_language,
        "published_at": moment(item.published_at),
        "demo": item.is_demo,
        "updated_at": moment(item.updated_at),
    }


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


# The CSV header of each kind: stable, machine-readable names (flattened JSON fields).
COLUMNS: dict[str, tuple[str, ...]] = {
    "pilots": _columns(
        "id uid url title_nl title_en summary_nl summary_en source_language programme country "
        "product_group strategies phase status starts_on ends_on contract_value_amount "
        "contract_value_currency home_hub demo updated_at"
    ),
    "organisations": _columns(
        "id uid url name sector country city website description_nl description_en participations "
        "home_hub demo updated_at"
    ),
    "programmes": _columns(
        "id uid url code short_name name_nl name_en description_nl description_en region_nl region_en "
        "countries starts_on ends_on website home_hub demo updated_at"
    ),
    "news": _columns(
        "id uid url programme title_nl title_en summary_html_nl summary_html_en source_language "
        "published_at demo updated_at"
    ),
}


def flatten(document: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON document as CSV fields (see the module's docstring)."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, Mapping):
            for sub, inner in value.items():
                flat[f"{key}_{sub}"] = inner
        else:
            flat[key] = value
    return flat


def cell(value: Any) -> str:
    """A CSV cell: text a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | tuple):
        text = "; ".join(str(item) for item in value)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_chunks(columns: Sequence[str], chunks: Iterable[Iterable[Document]]) -> Iterator[bytes]:
    """A header row, then one encoded block per chunk of documents (UTF-8, CRLF line ends). It
    starts with a byte-order mark: without it Excel reads the file as the machine's own code page
    and breaks every accent ("CoÃ¶rdinatie")."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for documents in chunks:
        for document in documents:
            flat = flatten(document)
            writer.writerow([cell(flat.get(column)) for column in columns])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode()


def json_chunks(chunks: Iterable[Iterable[Document]]) -> Iterator[bytes]:
    """A JSON array written piece by piece: one encoded block per chunk of documents."""
    first = True
    yield b"["
    for documents in chunks:
        parts = []
        for document in documents:
            parts.append(("\n" if first else ",\n") + json.dumps(document, ensure_ascii=False))
            first = False
        if parts:
            yield "".join(parts).encode()
    yield b"\n]\n"
