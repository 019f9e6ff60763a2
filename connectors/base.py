"""The connector contract: one class per kind of source, a typed options object, one method.

A connector turns a source into plain :class:`Item` objects. It gets everything it needs
injected (a :class:`~connectors.fetch.Fetcher` for HTTP and uploaded files, the :class:`Cursor`
left by the previous run) and never touches the database: ``hub.sync`` is the only place where
items meet it. The contract is that of ckanext-harvest's harvesters, without their database writes.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from connectors.fetch import Fetcher
from connectors.messages import Problem


@dataclasses.dataclass(frozen=True, slots=True)
class Item:
    """One record of a source, in the hub's terms.

    ``fields`` holds typed values (str, int, Decimal, date, datetime) keyed by the field names of
    the item's target kind (see ``connectors.targets``); ``url`` links to the original record;
    ``position`` is where it stands in the source (a line or row), when it has one.
    """

    external_id: str
    fields: Mapping[str, Any]
    url: str | None = None
    position: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ItemError:
    """An entry the connector could not read; the rest of the run goes on without it."""

    problem: Problem
    external_id: str | None = None
    position: int | None = None  # line or entry number in the source, for the coordinator


@dataclasses.dataclass
class Cursor:
    """What one run leaves for the next, and what the connector tells the sync about this run.

    ``state`` is read from the previous run and updated in place (ETag, Last-Modified, a
    "changed since" mark); it must stay JSON-serialisable strings. The connector sets
    ``not_modified`` when the source says nothing changed (no items follow, nothing is withdrawn)
    and ``complete`` when the items it yields are the whole source, so that records missing from
    it were deleted there. ``expected`` is the number of items to come, when known (progress).
    """

    state: dict[str, str] = dataclasses.field(default_factory=dict)
    complete: bool = False
    not_modified: bool = False
    expected: int | None = None


class Options:
    """Base of the typed options objects; subclasses are frozen dataclasses.

    ``parse`` turns what a coordinator entered (or a config file declared) into the typed object,
    raising :class:`~connectors.messages.OptionsError` with a clear message naming the field.
    """

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Options:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """The options as JSON-serialisable values (what is stored with the source)."""
        assert dataclasses.is_dataclass(self)
        return dataclasses.asdict(self)


OptionsT = TypeVar("OptionsT", bound=Options)


@dataclasses.dataclass(frozen=True)
class Example:
    """What the contract test serves to a connector: files by path (content type, body), and options.

    In ``options``, the string ``{base}`` stands for the fixture server's base URL.
    """

    files: Mapping[str, tuple[str, bytes]]
    options: Mapping[str, Any]


class Connector(abc.ABC, Generic[OptionsT]):
    kind: ClassVar[str]  # the registered name, e.g. "feed"
    options_type: ClassVar[type[Options]]
    # Items are another hub's records (``{"kind", "document", "after"}``: a record of its API and
    # the cursor of the page it came on), mirrored as they are rather than mapped onto a target
    # kind; read incrementally from the cursor.
    mirror: ClassVar[bool] = False

    def __init__(self, options: OptionsT) -> None:
        self.options = options

    @abc.abstractmethod
    def items(self, fetcher: Fetcher, cursor: Cursor) -> Iterator[Item | ItemError]:
        """Yield the source's items (and errors for entries that cannot be read), lazily.

        Raise :class:`~connectors.messages.Problem` (or a subclass) when the source as a whole
        cannot be read: the run then fails and nothing is withdrawn.
        """

    @classmethod
    @abc.abstractmethod
    def example(cls) -> Example:
        """A small valid source and options for it (the contract test runs every connector on it)."""
