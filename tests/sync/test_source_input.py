"""A source's settings, checked once (``source_values``) and saved by one function (``save_source``),
whether the workspace form or a config file gives them."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.orm import Session

from connectors.messages import OptionsError
from hub.sync import services
from hub.sync.models import Source
from hub.sync.validation import SourceInput, source_values
from tests import factories

FEED = {"url": "https://example.org/news.rss", "target": "news", "language": "nl"}


def test_settings_are_checked_typed_and_saved(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    data = source_values(
        session,
        key=" GDCA-News ",
        name="GDCA   news",
        kind="feed",
        programme_id=programme.id,
        schedule="every 360",
        options=FEED,
    )
    assert isinstance(data, SourceInput)
    assert (data.key, data.name, data.enabled, data.declared_in) == ("gdca-news", "GDCA news", True, None)
    assert data.options["url"] == FEED["url"]

    source = services.save_source(session, source=Source(), values=data)
    assert source.id is not None and source.next_run_at is not None and source.key == "gdca-news"
    assert not data.differs(source)
    declared = dataclasses.replace(data, declared_in="/etc/hub/sources.toml")
    assert declared.differs(source)
    services.save_source(session, source=source, values=declared)
    assert source.declared_in == "/etc/hub/sources.toml"

    with pytest.raises(OptionsError) as taken:
        source_values(
            session,
            key="gdca-news",
            name="Another",
            kind="feed",
            programme_id=programme.id,
            schedule="every 360",
            options=FEED,
        )
    assert taken.value.field == "key"
