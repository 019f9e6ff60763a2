"""``hub clients``: register the peer hubs (and other systems) allowed to read protected fields."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hub.db import make_sessionmaker
from hub.federation import services
from hub.federation.identity import API_PATH, hub_address
from hub.settings import Settings


def add_commands(commands: Any, *, connect: Any, prepare: Any, error: type[Exception]) -> None:
    """Register the commands on the ``hub`` parser (``connect``/``prepare``/``error`` from hub.cli)."""

    def add_command(settings: Settings, args: argparse.Namespace) -> None:
        name = args.name.strip()
        if not name:
            raise error("give the client a name, e.g. the peer hub's: hub clients add 'ProCirc hub'")
        engine = connect(settings)
        prepare(engine)
        with make_sessionmaker(engine)() as session:
            client, secret = services.register_client(session, name=name)
            session.commit()
            print(
                f"Registered {client.name}. Give the peer these (the secret is shown only now):",
                file=sys.stderr,
            )
            print(f"client_id = {client.client_id}")
            print(f"client_secret = {secret}")
            print(f"token endpoint: {hub_address(settings.base_url)}{API_PATH}/token", file=sys.stderr)

    def list_command(settings: Settings, args: argparse.Namespace) -> None:
        with make_sessionmaker(connect(settings))() as session:
            for client in services.list_clients(session):
                state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
                used = f"{client.last_used_at:%Y-%m-%d %H:%M}" if client.last_used_at else "never used"
                print(f"{client.client_id}\t{client.name}\t{state}\t{used}")

    def revoke_command(settings: Settings, args: argparse.Namespace) -> None:
        with make_sessionmaker(connect(settings))() as session:
            client = services.revoke_client(session, client_id=args.client_id)
            if client is None:
                raise error(f"there is no client {args.client_id!r} (see `hub clients list`)")
            session.commit()
            print(f"Revoked {client.name}: its tokens are refused from now on.", file=sys.stderr)

    clients = commands.add_parser("clients", help="peer hubs allowed to read the API's protected fields")
    client_commands = clients.add_subparsers(required=True, metavar="COMMAND")
    add = client_commands.add_parser("add", help="register a client and print its id and secret (once)")
    add.add_argument("name", help="who it is, e.g. 'ProCirc hub'")
    add.set_defaults(handler=add_command)
    client_commands.add_parser("list", help="list the clients").set_defaults(handler=list_command)
    revoke = client_commands.add_parser("revoke", help="revoke a client (its tokens stop working)")
    revoke.add_argument("client_id")
    revoke.set_defaults(handler=revoke_command)
