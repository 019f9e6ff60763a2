"""Peer clients, for hub administrators: the other hubs (and systems) allowed to read this hub's
protected fields through the API. Register one (its secret is shown once, on the page that
answers the form, and never stored), list them, revoke one.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.accounts.web import require_principal
from hub.coordinator import flash, forbid_unless_admin, found, redirect_to, render_page
from hub.federation import services
from hub.federation.identity import API_PATH, hub_address
from hub.forms import Form
from hub.i18n import gettext as _
from hub.security import form_view
from hub.web import db, post

NAME_MAX = 200  # ApiClient.name


def _page(request: Request, form: Form | None = None, status_code: int = 200) -> Response:
    with db(request) as session:
        return render_page(
            request,
            "federation/workspace/client_list.html",
            status_code=status_code,
            clients=services.list_clients(session),
            form=form or Form(),
            name_max=NAME_MAX,
        )


def client_list(request: Request) -> Response:
    forbid_unless_admin(require_principal(request))
    return _page(request)


@form_view
def client_register(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    forbid_unless_admin(principal)
    form = Form.submitted(data)
    name = form.text("name", max_length=NAME_MAX, required=True)
    if not form.ok:
        return _page(request, form, status_code=400)
    with db(request) as session:
        client, secret = services.register_client_audited(session, name=name, user_id=principal.user_id)
        session.commit()
        response = render_page(
            request,
            "federation/workspace/client_created.html",
            client=client,
            secret=secret,
            token_url=f"{hub_address(request.app.state.settings.base_url)}{API_PATH}/token",
        )
    # The secret is in this response alone: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@form_view
def client_revoke(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    forbid_unless_admin(principal)
    with db(request) as session:
        client = found(
            services.revoke_client_audited(
                session, client_id=request.path_params["client_id"], user_id=principal.user_id
            ),
            _("There is no such client."),
        )
        session.commit()
        flash(request, _("%(name)s is revoked: its access tokens are refused from now on.", name=client.name))
    return redirect_to("ws_clients")


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/clients", client_list, name="ws_clients"),
        post("/clients", client_register, name="ws_client_register"),
        post("/clients/{client_id:str}/revoke", client_revoke, name="ws_client_revoke"),
    ]
