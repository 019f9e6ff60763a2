"""The demo network's sources: each programme's news as an export, synced like any other source.

The demo has no network to fetch from, so it writes each programme's news (milestones from the
seed documents) as a CSV file into the uploads folder and registers a source that reads it. The
first scheduler tick of ``hub serve --demo`` then syncs them: the news page, the public status
page and the workspace's runs all show the real flow, offline.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.orm import Session

from hub.programmes.models import Programme
from hub.programmes.services import programme_id_of
from hub.sync import services
from hub.sync.models import Source
from hub.sync.validation import source_values

COLUMNS = ("id", "date", "title_nl", "title_en", "summary_nl", "summary_en")

NEWS: dict[str, tuple[tuple[str, ...], ...]] = {
    "gdca": (
        (
            "gdca-start",
            "2017-06-01T10:00:00+02:00",
            "Green Deal Circulair Aankopen ondertekend",
            "Green Deal on Circular Procurement signed",
            "<p>Vlaanderen Circulair zet samen met The Shift, VVSG en Bond Beter Leefmilieu de Green Deal "
            "Circulair Aankopen op: aankopers engageren zich voor minstens twee circulaire "
            "aankooppilots, facilitators ondersteunen hen.</p>",
            "<p>Vlaanderen Circulair, The Shift, VVSG and Bond Beter Leefmilieu set up the Green Deal on "
            "Circular Procurement: procurers commit to at least two circular procurement pilots, "
            "facilitators support them.</p>",
        ),
        (
            "gdca-close",
            "2019-11-21T16:00:00+01:00",
            "Slotevent: 101 aankopers en 52 facilitators sluiten de Green Deal af",
            "Closing event: 101 procurers and 52 facilitators complete the Green Deal",
            "<p>Na twee jaar experimenteren telt de Green Deal zo’n <strong>200 experimenten</strong> "
            "en 60 ondersteunende acties. Hun lessen blijven beschikbaar voor aankopers en "
            "aanbieders.</p>",
            "<p>After two years of experiments the Green Deal counts some <strong>200 experiments"
            "</strong> and 60 supporting actions. Their lessons remain available to buyers and "
            "suppliers.</p>",
        ),
        (
            "gdca-communities",
            "2020-02-01T09:00:00+01:00",
            "Communities of practice per productgroep van start",
            "Product-group communities of practice start",
            "<p>Het netwerk gaat verder in communities of practice voor voeding, ICT, textiel, bouw en "
            "kantoorinrichting &amp; -materiaal, elk met een contactpersoon.</p>",
            "<p>The network carries on in communities of practice for food, ICT, textiles, "
            "construction and office furnishing &amp; materials, each with a contact person.</p>",
        ),
    ),
    "gdci": (
        (
            "gdci-signed",
            "2018-06-07T14:00:00+02:00",
            "45 organisaties ondertekenen de Green Deal Circulair Inkopen 2.0",
            "45 organisations sign the Green Deal Circular Procurement 2.0",
            "<p>Op het PIANOo-congres in Bussum tekenen private en publieke organisaties en "
            "kennispartners de tweede Green Deal Circulair Inkopen: elke inkoper start minstens twee "
            "trajecten of schaalt een eerdere pilot op.</p>",
            "<p>At the PIANOo conference in Bussum private and public organisations and knowledge "
            "partners sign the second Green Deal on circular procurement: each procurer starts at "
            "least two trajectories or scales up an earlier pilot.</p>",
        ),
    ),
    "procirc": (
        (
            "procirc-start",
            "2019-01-15T10:00:00+01:00",
            "ProCirc: aankopers uit zes landen leren van elkaar",
            "ProCirc: procurers from six countries learn from each other",
            "<p>Het Interreg Noordzeeregio-project ProCirc, onder leiding van Rijkswaterstaat, "
            "verenigt 8 publieke en 3 private partners rond meer dan 30 transnationale pilots.</p>",
            "<p>The Interreg North Sea Region project ProCirc, led by Rijkswaterstaat, brings 8 public "
            "and 3 private partners together around more than 30 transnational pilots.</p>",
        ),
        (
            "procirc-results",
            "2023-12-15T10:00:00+01:00",
            "ProCirc levert 32 circulaire pilots op, samen zo’n 40 miljoen euro",
            "ProCirc delivers 32 circular pilots worth some €40 million",
            "<p>Elke pilot mikte op <strong>20 tot 25 % minder</strong> grondstoffen, afval en "
            "CO2-uitstoot.</p>",
            "<p>Each pilot aimed at <strong>20–25 % less</strong> raw materials, waste and CO2 "
            "emissions.</p>",
        ),
    ),
}


def load_demo_sources(session: Session, *, uploads_dir: Path) -> int:
    """Write each programme's news export and register its source (due now); how many. Commits."""
    uploads_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    for code, items in NEWS.items():
        programme_id = programme_id_of(session, code=code)
        key = f"{code}-news-demo"
        if programme_id is None or services.get_source(session, key=key) is not None:
            continue
        programme = session.get_one(Programme, programme_id)
        upload = f"{code}-news-demo.csv"
        with (uploads_dir / upload).open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            writer.writerows(items)
        values = source_values(
            session,
            key=key,
            name=f"{programme.short_name} — nieuws · news (demo)",
            kind="tabular",
            programme_id=programme_id,
            schedule="every 360",
            options={
                "upload": upload,
                "target": "news",
                "id_column": "id",
                "columns": {
                    "published_at": "date",
                    "title_nl": "title_nl",
                    "title_en": "title_en",
                    "summary_nl": "summary_nl",
                    "summary_en": "summary_en",
                },
            },
        )
        services.save_source(session, source=Source(), values=values)
        count += 1
    session.commit()
    return count
