"""The tabular connector: CSV and JSON exports, over HTTP and uploaded, good and bad."""

from __future__ import annotations

import datetime as dt
import json
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Cursor, Item, ItemError
from connectors.fetch import Fetcher
from connectors.messages import FetchError, OptionsError, Problem
from connectors.tabular import TabularConnector, TabularOptions
from tests.connectors.fixture_server import File, FixtureServer

PILOT_COLUMNS = {"title_en": "title", "country": "country", "status": "status", "contract_value": "value"}
PILOT = {"target": "pilot", "id_column": "id", "columns": PILOT_COLUMNS, "defaults": {"phase": "tender"}}
HEADER = "id,title,country,status,value\n"


def run(fetcher: Fetcher, **options: Any) -> tuple[list[Item], list[ItemError], Cursor]:
    connector = TabularConnector(TabularOptions.parse({**PILOT, **options}))
    cursor = Cursor()
    results = list(connector.items(fetcher, cursor))
    items = [result for result in results if isinstance(result, Item)]
    errors = [result for result in results if isinstance(result, ItemError)]
    assert len(items) + len(errors) == len(results)
    return items, errors, cursor


def upload(uploads: Path, text: str | bytes, name: str = "export.csv") -> str:
    (uploads / name).write_bytes(text.encode() if isinstance(text, str) else text)
    return name


def test_the_example_export_over_http(server: FixtureServer, fetcher: Fetcher) -> None:
    example = TabularConnector.example()
    server.serve(example.files)
    options = {**example.options, "url": server.url("/pilots.csv")}
    connector = TabularConnector(TabularOptions.parse(options))
    cursor = Cursor()

    first, second, third = connector.items(fetcher, cursor)

    assert first == Item(
        "P-001",
        {
            "phase": "contract",
            "title_en": "Refurbished office furniture for three municipalities",
            "country": "be",
            "status": "running",
            "product_group": "furniture",
            "starts_on": dt.date(2024, 2, 1),
            "contract_value": Decimal("125000.50"),
        },
        position=2,  # its line in the file
    )
    assert isinstance(second, Item) and second.fields["contract_value"] == Decimal(2400000)
    assert isinstance(third, Item) and "contract_value" not in third.fields  # an empty cell is no value
    assert (cursor.complete, cursor.not_modified, cursor.expected) == (True, False, None)
    assert set(cursor.state) == {"etag", "last_modified"}


def test_an_unchanged_export_is_not_modified(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes["/export.csv"] = File(f"{HEADER}P-1,Desks,BE,running,10\n".encode(), "text/csv")
    connector = TabularConnector(TabularOptions.parse({**PILOT, "url": server.url("/export.csv")}))
    first = Cursor()
    assert len(list(connector.items(fetcher, first))) == 1

    second = Cursor(state=dict(first.state))
    assert list(connector.items(fetcher, second)) == []
    assert second.not_modified


def test_missing_columns_fail_the_whole_run(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(uploads, "id,title,state\nP-1,Desks,running\n")

    with pytest.raises(Problem) as caught:
        run(fetcher, upload=name)

    assert caught.value.message == "The header row lacks the column(s) %(columns)s; it has %(header)s."
    assert caught.value.values == {"columns": "country, status, value", "header": "id, title, state"}


def test_a_missing_id_column_fails_the_run(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(uploads, "ref,title,country,status,value\nP-1,Desks,BE,running,10\n")

    with pytest.raises(Problem) as caught:
        run(fetcher, upload=name)

    assert caught.value.values["columns"] == "id"


def test_wrong_types_are_errors_of_their_row_only(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(
        uploads,
        HEADER + "P-1,Desks,BE,running,10\nP-2,Chairs,BE,running,lots\n"
        "P-3,Tables,?!,running,\nP-4,Lamps,NL,done,1\n",
    )

    items, errors, cursor = run(fetcher, upload=name)

    assert [item.external_id for item in items] == ["P-1", "P-4"]
    assert [(error.external_id, error.position, str(error.problem)) for error in errors] == [
        ("P-2", 3, "contract_value: “lots” is not a number"),
        ("P-3", 4, "country: “?!” is not a valid code"),
    ]
    assert cursor.complete and cursor.state == {}  # an upload has no validators


def test_a_formula_cell_is_defused(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(uploads, HEADER + "P-1,\"=cmd|' /C calc'!A0\",BE,running,-5\n")

    (item,), _, _ = run(fetcher, upload=name)

    assert item.fields["title_en"] == "'=cmd|' /C calc'!A0"
    assert item.fields["contract_value"] == Decimal(-5)  # a negative number is not a formula


def test_a_link_column_links_each_record_to_its_original(fetcher: Fetcher, uploads: Path) -> None:
    text = "id,title,country,status,value,page\n"
    text += (
        "P-1,Laptops,BE,running,,https://example.org/pilots/1\nP-2,Chairs,BE,running,,javascript:alert(1)\n"
    )
    name = upload(uploads, text)

    first, second = run(fetcher, upload=name, link_column="page")[0]

    assert first.url == "https://example.org/pilots/1"
    assert second.url is None  # not a web address: no link, and no error for an extra column
    with pytest.raises(Problem, match="nowhere"):
        run(fetcher, upload=name, link_column="nowhere")


def test_a_json_record_links_to_its_original(fetcher: Fetcher, uploads: Path) -> None:
    records = [
        {"id": "P-1", "title": "Laptops", "country": "BE", "status": "running", "url": "https://x.org/1"}
    ]
    name = upload(uploads, json.dumps(records), "export.json")

    (item,), _, _ = run(fetcher, upload=name, link_column="url")

    assert item.url == "https://x.org/1"


def test_duplicated_ids_are_all_yielded(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(uploads, HEADER + "P-1,First,BE,running,1\nP-1,Second,BE,running,2\n")

    items, _, _ = run(fetcher, upload=name)

    assert [(item.external_id, item.fields["title_en"]) for item in items] == [
        ("P-1", "First"),
        ("P-1", "Second"),
    ]


def test_one_bad_row_among_a_thousand(fetcher: Fetcher, uploads: Path) -> None:
    rows = [f"P-{n},Pilot {n},BE,running,{n}" for n in range(1000)]
    rows[500] = "P-500,Pilot 500,BE,,500"  # the required status is empty
    name = upload(uploads, HEADER + "\n".join(rows) + "\n")

    items, errors, _ = run(fetcher, upload=name)

    assert len(items) == 999
    assert [(error.external_id, error.position, str(error.problem)) for error in errors] == [
        ("P-500", 502, "the required field “status” is empty")
    ]


def test_an_empty_id_is_an_error_and_blank_lines_are_skipped(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(
        uploads, HEADER + "P-1,Desks,BE,running,1\n\n  ,Chairs,BE,running,2\nP-3,Lamps,BE,running\n"
    )

    items, errors, _ = run(fetcher, upload=name)

    assert [(item.external_id, item.fields.get("contract_value")) for item in items] == [
        ("P-1", 1),
        ("P-3", None),
    ]
    assert [(error.external_id, error.position) for error in errors] == [(None, 4)]


def test_positions_count_lines_of_quoted_multiline_cells(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(
        uploads,
        HEADER
        + 'P-1,"Desks\nand chairs",BE,running,1\nP-2,Lamps,BE,running,x\nP-3,"Two\nlines",BE,running,x\n',
    )

    items, errors, _ = run(fetcher, upload=name)

    assert items[0].fields["title_en"] == "Desks and chairs"
    assert [(error.external_id, error.position) for error in errors] == [
        ("P-2", 4),
        ("P-3", 5),
    ]  # where it starts


def test_invalid_bytes_name_the_line_and_the_encoding(fetcher: Fetcher, uploads: Path) -> None:
    rows = [f"P-{n},Pilot {n},BE,running,{n}" for n in range(2000)]  # past the first 8 kB read
    rows[1500] = "P-1500,Caf\xe9,BE,running,1"
    name = upload(uploads, (HEADER + "\n".join(rows) + "\n").encode("latin-1"))

    with pytest.raises(Problem) as caught:
        run(fetcher, upload=name)

    assert caught.value.message == "Line %(line)s is not valid %(encoding)s text; check the file's encoding."
    assert caught.value.values == {"line": 1502, "encoding": "utf-8"}


def test_a_declared_encoding_and_delimiter(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(uploads, "id;title;country;status;value\nP-1;Café;BE;running;1,5\n".encode("cp1252"))

    (item,), _, _ = run(fetcher, upload=name, encoding="cp1252", delimiter=";")

    assert item.fields["title_en"] == "Café"
    assert item.fields["contract_value"] == Decimal("1.5")


def test_a_utf8_byte_order_mark_is_ignored(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(uploads, b"\xef\xbb\xbf" + (HEADER + "P-1,Desks,BE,running,1\n").encode())

    (item,), _, _ = run(fetcher, upload=name)

    assert item.external_id == "P-1"


def test_an_empty_file_is_a_problem(fetcher: Fetcher, uploads: Path) -> None:
    with pytest.raises(Problem) as caught:
        run(fetcher, upload=upload(uploads, ""))

    assert caught.value.message == "The file is empty: it has no header row."


def test_a_cell_beyond_the_csv_field_limit_names_its_line(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(uploads, HEADER + 'P-1,Desks,BE,running,1\nP-2,"' + "x" * 200_000 + '",BE,running,1\n')

    with pytest.raises(Problem) as caught:
        run(fetcher, upload=name)

    assert caught.value.message == "The CSV file cannot be read at line %(line)s (%(error)s)."
    assert caught.value.values["line"] == 3


def items_and_peak(connector: TabularConnector, fetcher: Fetcher) -> tuple[int, int]:
    """How many items the connector gives, and the most memory Python held meanwhile."""
    tracemalloc.start()
    try:
        count = sum(1 for result in connector.items(fetcher, Cursor()) if isinstance(result, Item))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_100000_row_upload_streams_with_flat_memory(fetcher: Fetcher, uploads: Path) -> None:
    path = uploads / "big.csv"
    with path.open("w") as file:
        file.write(HEADER)
        for n in range(100_000):
            file.write(f"P-{n},Circular pilot number {n} with a longer title,BE,running,{n}.50\n")
    assert path.stat().st_size > 6 * 2**20
    connector = TabularConnector(TabularOptions.parse({**PILOT, "upload": "big.csv"}))

    started = time.monotonic()
    count, peak = items_and_peak(connector, fetcher)

    assert count == 100_000
    assert peak < 2**20, f"peak {peak} bytes: the file was not streamed"
    # A very loose floor (about 3 s on an idle machine): it catches a quadratic reader, not a busy one.
    assert time.monotonic() - started < 120


def test_upload_names_outside_the_folder_are_refused(fetcher: Fetcher, uploads: Path, tmp_path: Path) -> None:
    with pytest.raises(OptionsError) as caught:
        TabularOptions.parse({**PILOT, "upload": "../secret.csv"})
    assert caught.value.field == "upload"

    (tmp_path / "secret.csv").write_text(HEADER)
    (uploads / "innocent.csv").symlink_to(tmp_path / "secret.csv")
    with pytest.raises(FetchError):
        run(fetcher, upload="innocent.csv")


# -- JSON


def test_a_json_array_over_http(server: FixtureServer, fetcher: Fetcher) -> None:
    records = [
        {"id": 1, "title": "Desks", "country": "BE", "status": "running", "value": 10.5},
        {"id": "P-2", "title": "Chairs", "country": "NL", "status": "running", "value": None},
        "not an object",
        {"id": "P-4", "title": ["a", "list"], "country": "NL", "status": "running"},
        {"title": "No id", "country": "NL", "status": "running"},
    ]
    server.routes["/export.json"] = File(json.dumps(records).encode(), "application/json")

    items, errors, cursor = run(fetcher, url=server.url("/export.json"))

    assert [(item.external_id, item.fields.get("contract_value")) for item in items] == [
        ("1", Decimal("10.5")),
        ("P-2", None),
    ]
    assert [(error.external_id, error.position, error.problem.message) for error in errors] == [
        (None, 3, "The record is not a JSON object."),
        ("P-4", 4, "“%(column)s” holds a list or an object, not a value"),
        (None, 5, "The id column “%(column)s” is empty (or not text or a whole number)."),
    ]
    assert cursor.expected == 5 and cursor.complete


def test_a_json_object_with_items_uploaded(fetcher: Fetcher, uploads: Path) -> None:
    document = {"items": [{"id": "P-1", "title": "Desks", "country": "BE", "status": "running"}], "total": 1}
    name = upload(uploads, json.dumps(document), "export.json")

    (item,), _, cursor = run(fetcher, upload=name)

    assert item.fields == {"phase": "tender", "title_en": "Desks", "country": "be", "status": "running"}
    assert cursor.expected == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>not json</html>", "The file is not valid JSON (%(error)s)."),
        (b"[" * 100_000 + b"]" * 100_000, "The file is not valid JSON (%(error)s)."),
        (b'{"records": []}', "The JSON file must hold a list of records, or an object with an “items” list."),
        (b'"a string"', "The JSON file must hold a list of records, or an object with an “items” list."),
        (b'[{"ref": "P-1", "title": "Desks"}]', "No record has the id key “%(column)s”."),
        (b'[{"id": "caf\xe9"}]', "Line %(line)s is not valid %(encoding)s text; check the file's encoding."),
    ],
)
def test_json_that_is_not_a_list_of_records_fails_the_run(
    fetcher: Fetcher, uploads: Path, body: bytes, message: str
) -> None:
    with pytest.raises(Problem) as caught:
        run(fetcher, upload=upload(uploads, body, "export.json"))

    assert caught.value.message == message


def test_a_json_upload_larger_than_max_bytes_is_refused(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(uploads, json.dumps([{"id": "x" * 100}] * 20), "export.json")
    small = Fetcher(fetcher.client, uploads_dir=uploads, max_bytes=1000)

    with pytest.raises(Problem) as caught:
        run(small, upload=name)

    assert caught.value.message == "JSON exports larger than %(limit)s cannot be read; export CSV instead."


# -- options


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({}, "url", None),
        ({**PILOT, "url": "https://x.org/a.csv", "upload": "a.csv"}, "url", None),
        ({**PILOT, "url": "https://x.org/export"}, "format", "This option is required."),
        ({**PILOT, "upload": "a.txt"}, "format", "This option is required."),
        ({**PILOT, "upload": "a.csv", "format": "xml"}, "format", "Choose one of: %(choices)s."),
        ({**PILOT, "upload": "a.csv", "target": "invoice"}, "target", "Choose one of: %(choices)s."),
        ({**PILOT, "upload": "a.csv", "id_column": ""}, "id_column", "This option is required."),
        ({**PILOT, "upload": "a.csv", "columns": {"colour": "c"}}, "columns", None),
        ({**PILOT, "upload": "a.csv", "defaults": {"starts_on": "tomorrow"}}, "defaults", None),
        ({**PILOT, "upload": "a.csv", "delimiter": ";;"}, "delimiter", None),
        (
            {**PILOT, "upload": "a.csv", "encoding": "klingon"},
            "encoding",
            "“%(encoding)s” is not a known encoding.",
        ),
        ({**PILOT, "upload": "a.csv", "complete": 1}, "complete", None),
        ({**PILOT, "upload": "a.csv", "sheet": 1}, "sheet", None),
    ],
)
def test_options_errors_name_the_option(raw: dict[str, Any], field: str, message: str | None) -> None:
    with pytest.raises(OptionsError) as caught:
        TabularOptions.parse(raw)

    assert caught.value.field == field
    if message:
        assert caught.value.message == message


def test_required_fields_must_be_mapped_or_defaulted() -> None:
    with pytest.raises(OptionsError) as caught:
        TabularOptions.parse(
            {"upload": "orgs.csv", "target": "organisation", "id_column": "id", "columns": {"city": "c"}}
        )

    assert caught.value.field == "columns"
    assert caught.value.values["fields"] == "name, sector, country"


def test_options_round_trip_and_infer_the_format() -> None:
    options = TabularOptions.parse({**PILOT, "url": "https://x.org/Export.JSON?token=1"})

    assert options.format == "json"
    assert TabularOptions.parse(options.to_dict()) == options
