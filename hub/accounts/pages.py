"""A logged-in person's own session screens: "log out everywhere"."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub import urls
from hub.accounts import sessions
from hub.accounts.web import current_principal, end_session
from hub.security import form_view
from hub.web import db


@form_view
def logout_everywhere(request: Request, _form: FormData) -> Response:
    """``POST /{lang}/logout/everywhere``: ends every session of this person (other browsers,
    a forgotten computer, a copied cookie), this one included."""
    principal = current_principal(request)
    if principal is not None:
        with db(request) as session:
            sessions.end_sessions_of(session, user_id=principal.user_id)
            session.commit()
    end_session(request)
    return RedirectResponse(urls.url("home"), status_code=303)
