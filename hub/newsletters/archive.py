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
from hub.i18n import gettext as _
from hub.newsletters import digest, issues
from hub.newsletters.models import NewsletterIssue
from hub.opendata import atom, feeds
from hub.records import LANGUAGES, Localized
from hub.settings import Settings
from hub.urls import url
from hub.web import check_page, db, found, language, render_page

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
    issue_id = request.path_params["issue_id"]
    with db(request) as session:
        issue = found(
            issues.get_sent_issue(session, issue_id=issue_id),
            _("There is no sent newsletter issue with number %(id)s.", id=issue_id),
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
        author_uri=base + url("home", lang=lang),
        page=base + url("newsletter_archive", lang=lang),
    )
    with db(request) as session:
        entries = [entry(issue, base, lang, hub_name) for issue in issues.feed_issues(session)]
    body = atom.render(feed, entries)
    tag = atom.etag(body)
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if atom.matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=atom.MEDIA_TYPE, headers=headers)


def entry(issue: NewsletterIssue, base: str, lang: str, author: str) -> atom.Entry:
    page = base + url("newsletter_archive_issue", lang=lang, issue_id=issue.id)
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
