"""The Sustainable Development Goals of a programme, chosen by its coordinators (an administrator:
of any programme) in one small form linked from the dashboard.

A programme has no edit form of its own (its facts come from the seeds, the demo or a peer hub);
this one changes its goals only, with an entry in the audit log. A programme kept by another hub
refuses changes (409).
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub import changes
from hub.accounts.services import Principal
from hub.accounts.web import forbid_unless, require_principal
from hub.coordinator import flash, found, redirect_to, refuse_if_synced, render_page
from hub.forms import Form
from hub.i18n import gettext as _
from hub.programmes.models import Programme
from hub.programmes.services import get_programme
from hub.security import form_view
from hub.taxonomy import sdgs
from hub.web import db, post


def _programme(session: Session, request: Request, principal: Principal) -> Programme:
    """The programme of the URL (404), if this person coordinates it (403)."""
    code = request.path_params["code"]
    programme = found(
        get_programme(session, code=code), _("There is no programme “%(code)s”.", code=code[:40])
    )
    forbid_unless(principal.may_edit_programme(programme.id))
    return programme


def _page(request: Request, programme: Programme, form: Form, status_code: int = 200) -> Response:
    return render_page(
        request, "programmes/workspace/sdgs.html", status_code=status_code, programme=programme, form=form
    )


def programme_sdgs_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        programme = _programme(session, request, principal)
        form = Form({"sdgs": [str(number) for number in programme.sdgs]})
        return _page(request, programme, form)


@form_view
def programme_sdgs_update(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data, multi=["sdgs"])
    with db(request) as session:
        programme = _programme(session, request, principal)
        refuse_if_synced(programme)
        numbers = sorted(int(number) for number in form.keys("sdgs", sdgs.FORM_VALUES))
        if not form.ok:
            return _page(request, programme, form, status_code=400)
        changes.save(
            session,
            record=programme,
            values={"sdgs": numbers},
            user_id=principal.user_id,
            programme_id=programme.id,
            summary=programme.short_name,
        )
        session.commit()
        flash(
            request,
            _(
                "The Sustainable Development Goals of %(programme)s were saved.",
                programme=programme.short_name,
            ),
        )
        return redirect_to("ws_programme_sdgs", code=programme.code)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/programmes/{code:str}/sdgs", programme_sdgs_edit, name="ws_programme_sdgs"),
        post("/programmes/{code:str}/sdgs", programme_sdgs_update, name="ws_programme_sdgs_update"),
    ]
