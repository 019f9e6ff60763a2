"""The public network page: the peer hubs this hub follows, how many records came from each, and
the network's pilots per country as a chart with its numbers in a table.

The chart is the server-drawn SVG of ``hub.charts`` (the dashboard's): the page's
Content-Security-Policy (``style-src 'self'``) forbids the inline styles that bar widths in plain
HTML would need, and an SVG needs no script either. It shows its numbers as text, and the same
numbers are in a table beside it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from hub import charts, i18n
from hub.charts import Bar, Series
from hub.federation import network
from hub.federation.kinds import KINDS
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.sync import display
from hub.sync.peers import Peer, peers
from hub.web import db, render

KIND_LABELS = {
    "programmes": N_("Programmes"),
    "organisations": N_("Organisations"),
    "participations": N_("Participations in programmes"),
    "supporting_actions": N_("Supporting actions"),
    "pilots": N_("Pilots"),
    "communities": N_("Communities of practice"),
    "meetings": N_("Meetings"),
    "lessons": N_("Lessons learned"),
    "lesson_pilot_links": N_("Links between lessons and pilots"),
    "closeouts": N_("Meeting close-outs"),
    "library_items": N_("Library entries"),
    "events": N_("Events"),
}
# The Okabe–Ito colours, this hub's first; they repeat beyond seven hubs (the legend still tells).
PALETTE = (
    charts.BLUE,
    charts.ORANGE,
    charts.GREEN,
    charts.SKY_BLUE,
    charts.VERMILLION,
    charts.PURPLE,
    charts.GREY,
)


@dataclasses.dataclass(frozen=True)
class PeerRecords:
    """Live records mirrored from each peer: one column per peer address, one row per kind."""

    addresses: Sequence[str]
    rows: Sequence[tuple[str, Sequence[int]]]  # (kind label, count per address)
    totals: Sequence[int]


@dataclasses.dataclass(frozen=True)
class CountryChart:
    title: str
    series: Sequence[Series]
    rows: Sequence[tuple[str, Sequence[int], int]]  # (country name, count per series, total)
    svg: Markup | None


def kind_label(name: str) -> str:
    return _(KIND_LABELS[name]) if name in KIND_LABELS else name


def _addresses(followed: Sequence[Peer], found: Sequence[str]) -> list[str]:
    """The followed peers' addresses in the order of the list of peers, then any other hub that
    records still come from (a peer no longer followed), alphabetically."""
    addresses = [peer.address for peer in followed if peer.address]
    return list(dict.fromkeys([*addresses, *sorted(found)]))


def peer_records(followed: Sequence[Peer], counts: Mapping[str, Mapping[str, int]]) -> PeerRecords:
    addresses = [a for a in _addresses(followed, list(counts)) if a in counts]
    rows = [(kind_label(name), [counts[address].get(name, 0) for address in addresses]) for name in KINDS]
    totals = [sum(counts[address].values()) for address in addresses]
    return PeerRecords(addresses, rows, totals)


def country_chart(followed: Sequence[Peer], counts: Sequence[network.CountryCount]) -> CountryChart:
    homes: list[str | None] = [None] if any(c.home_hub is None for c in counts) else []
    homes += _addresses(followed, sorted({c.home_hub for c in counts if c.home_hub is not None}))
    homes = [h for h in homes if any(c.home_hub == h for c in counts)]
    series = [
        Series(_("This hub") if home is None else home, PALETTE[i % len(PALETTE)])
        for i, home in enumerate(homes)
    ]
    by_country: dict[str, list[int]] = {}
    for count in counts:
        by_country.setdefault(count.country, [0] * len(homes))[homes.index(count.home_hub)] += count.pilots
    rows = sorted(
        ((i18n.country_name(code), values, sum(values)) for code, values in by_country.items()),
        key=lambda row: (-row[2], row[0]),
    )
    title = _("Pilots per country across the network")
    svg = (
        charts.stacked_bar_chart(
            chart_id="network-pilots",
            title=title,
            description=_(
                "Live pilots per country, split by the hub that keeps them; the table below gives "
                "the same numbers."
            ),
            series=series,
            bars=[Bar(name, values) for name, values, _total in rows],
            format_value=i18n.format_number,
            category_axis=_("Country"),
            value_axis=_("Number of pilots"),
        )
        if rows
        else None
    )
    return CountryChart(title, series, rows, svg)


def network_page(request: Request) -> Response:
    with db(request) as session:
        followed = peers(session)
        return render(
            request,
            "federation/network.html",
            peers=followed,
            records=peer_records(followed, network.mirrored_counts(session)),
            chart=country_chart(followed, network.pilots_by_country(session)),
            **display.helpers(),
        )
