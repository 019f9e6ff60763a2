"""The e-mail summary of a failed run, to the coordinators of the source's programme.

Sent when a source that worked starts failing, not at every failed run after that: a source that
fails every hour for a week sends one message, and another once it has worked in between. A new
source whose first runs fail sends none: whoever added it sees that on its page. The message is in
Dutch and English (people have no language preference here yet) and links to the run's page.
Sending must never break a run: a failure to send is logged, not raised.
"""

from __future__ import annotations

import functools
import logging

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import i18n, mail
from hub.accounts.services import coordinators_of
from hub.db import utcnow
from hub.settings import Settings
from hub.sync.models import RunStatus, Source, SyncRun
from hub.sync.schedule import next_run
from hub.templating import make_templates
from hub.urls import absolute_url

log = logging.getLogger(__name__)


@functools.cache
def _templates() -> Environment:
    return make_templates().env


def previous_status(session: Session, *, run: SyncRun) -> RunStatus | None:
    """How the run before this one of the same source ended (None: this is its first)."""
    return session.scalar(
        select(SyncRun.status)
        .where(SyncRun.source_id == run.source_id, SyncRun.id < run.id)
        .order_by(SyncRun.id.desc())
        .limit(1)
    )


def run_failed(session: Session, *, run: SyncRun, source: Source, settings: Settings) -> int:
    """Mail the summary of ``run`` if it is the first failure after a run that worked; how many were sent."""
    if previous_status(session, run=run) not in (RunStatus.SUCCEEDED, RunStatus.PARTIAL):
        return 0
    recipients = [user.email for user in coordinators_of(session, programme_id=source.programme_id)]
    if not recipients:
        return 0
    templates = _templates()
    parts: dict[str, list[str]] = {"subject": [], "txt": [], "html": []}
    for language in i18n.LANGUAGES:
        token = i18n.current_language.set(language)
        try:
            context = {
                "lang": language,
                "source": source,
                "run": run,
                "reason": i18n.describe(run.message, run.message_values) if run.message else "",
                "next_run": next_run(source.schedule, utcnow()),
                "url": absolute_url(settings.base_url, "ws_run", lang=language, run_id=run.id),
            }
            parts["subject"].append(i18n.gettext("Source “%(name)s” failed", name=source.name))
            for kind in ("txt", "html"):
                parts[kind].append(templates.get_template(f"email/run_failed/body.{kind}").render(context))
        finally:
            i18n.current_language.reset(token)
    messages = [
        mail.new_message(
            settings,
            to=address,
            subject=" · ".join(parts["subject"]),
            text="\n\n".join(parts["txt"]),
            html="<hr>".join(parts["html"]),
        )
        for address in recipients
    ]
    session.commit()  # ends the reads above: no transaction stays open while the mail goes out
    try:
        mail.deliver(settings, messages)
    except Exception:  # the run is recorded either way; the log says why no mail went out
        log.exception("could not send the failure summary of run %s", run.id)
        return 0
    return len(messages)
