"""The public newsletter archive: sent issues as pages, newest first, and as an Atom feed.

An archived issue shows the version for the whole network (a subscriber who follows nothing),
with the digest of the period it covered (``digest.window``: up to when it started sending). The
feed is built by ``hub.opendata.atom``, like the hub's other feeds.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.coordinator import page_number
from hub.i18n import N_
from hub.newsletters import digest, issues
from hub.newsletters.models import NewsletterIssue
from hub.opendata import atom, feeds
from hub.public import feed_response, record
from hub.records import LANGUAGES, Localized
from hub.settings import Settings
from hub.urls import absolute_url
from hub.web import check_page, db, language, render_page

FEED_TITLE = N_("Newsletter")


def localized(issue: NewsletterIssue, field: str, lang: str) -> Localized:
    """An issue's subject or intro in ``lang``, else in the other language (``fallback`` set)."""
    own = getattr(issue, f"{field}_{lang}")
    if own:
        return Localized(own, lang, False)
    for other in LANGUAGES:
        text = getattr(issue, f"{field}_{other}")
        if text:
            return Localized(text, other, True)
    return Localized("", lang, False)


def _base(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.base_url.rstrip("/")


def archive_list(request: Request) -> Response:
    lang = language(request)
    number = page_number(request)
    with db(request) as session:
        page = issues.sent_issues(session, page=number)
        check_page(number, page.pages)
        subjects = {issue.id: localized(issue, "subject", lang) for issue in page.items}
        return render_page(request, "newsletters/archive.html", page=page, subjects=subjects)


def archive_issue(request: Request) -> Response:
    lang = language(request)
    with db(request) as session:
        issue = record(
            request,
            session,
            issues.get_sent_issue,
            "issue_id",
            N_("There is no sent newsletter issue with number %(id)s."),
        )
        summary = digest.build(
            session, issue=issue, interests=frozenset(), language=lang, base_url=_base(request)
        )
        return render_page(
            request,
            "newsletters/archive_issue.html",
            issue=issue,
            subject=localized(issue, "subject", lang),
            intro=localized(issue, "intro", lang),
            digest=summary,
        )


def archive_feed(request: Request) -> Response:
    """``/feeds/{lang}/newsletter.atom``: the sent issues, newest first."""
    lang = language(request)
    base = _base(request)
    hub_name = feeds.translate(feeds.HUB_NAME, lang)
    feed = atom.Feed(
        url=feeds.feed_url(base, "newsletter", lang),
        title=f"{feeds.translate(FEED_TITLE, lang)} · {hub_name}",
        language=lang,
        author=hub_name,
        author_uri=absolute_url(base, "home", lang=lang),
        page=absolute_url(base, "newsletter_archive", lang=lang),
    )
    with db(request) as session:
        entries = [entry(issue, base, lang, hub_name) for issue in issues.feed_issues(session)]
    return feed_response(request, atom.render(feed, entries))


def entry(issue: NewsletterIssue, base: str, lang: str, author: str) -> atom.Entry:
    page = absolute_url(base, "newsletter_archive_issue", lang=lang, issue_id=issue.id)
    sent = issue.finished_at or issue.updated_at
    return atom.Entry(
        uri=page,
        link=page,
        title=localized(issue, "subject", lang),
        summary=localized(issue, "intro", lang),
        updated=sent,
        published=sent,
        author=author,
    )
