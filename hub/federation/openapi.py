"""``/api/v1/openapi.json``: the API described from the same kind declarations that serve it."""

from __future__ import annotations

from typing import Any

from hub.federation import cursor
from hub.federation.fields import JSON
from hub.federation.identity import API_PATH, hub_address
from hub.federation.kinds import API_VERSION, KINDS, Kind
from hub.federation.services import searched_as
from hub.filters import MAX_SEARCH

TOMBSTONE: JSON = {
    "type": "object",
    "description": "A record deleted at its home hub: withdraw it wherever it is mirrored",
    "properties": {
        "id": {"type": "string", "format": "uri"},
        "uid": {"type": "string"},
        "home_hub": {"type": "string", "format": "uri"},
        "updated_at": {"type": "string", "format": "date-time"},
        "deleted": {"const": True},
    },
    "required": ["id", "uid", "home_hub", "updated_at", "deleted"],
    "additionalProperties": False,
}
ERROR: JSON = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}
OAUTH_ERROR: JSON = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
    "required": ["error"],
}
TOKEN: JSON = {
    "type": "object",
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"const": "Bearer"},
        "expires_in": {"type": "integer"},
        "scope": {"type": "string"},
    },
    "required": ["access_token", "token_type", "expires_in", "scope"],
}
# The outline of an OCDS release package (https://standard.open-contracting.org/1.1/): the full
# release schema is OCDS's own; tests/opendata checks the export against the fields it writes.
OCDS_PACKAGE: JSON = {
    "type": "object",
    "properties": {
        "uri": {"type": "string"},
        "version": {"const": "1.1"},
        "publishedDate": {"type": "string", "format": "date-time"},
        "publisher": {"type": "object"},
        "extensions": {"type": "array", "items": {"type": "string"}},
        "releases": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "ocid": {"type": "string"},
                    "id": {"type": "string"},
                    "date": {"type": "string", "format": "date-time"},
                    "tag": {"type": "array", "items": {"type": "string"}},
                    "tender": {"type": "object"},
                },
                "required": ["ocid", "id", "date", "tag", "tender"],
            },
        },
    },
    "required": ["uri", "version", "publishedDate", "publisher", "releases"],
}
ETAG = {"ETag": {"description": "Strong validator of this exact answer", "schema": {"type": "string"}}}


def _schema_name(kind: Kind) -> str:
    return "".join(part.capitalize() for part in kind.name.removesuffix("s").split("_"))


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: JSON, description: str, headers: JSON | None = None) -> JSON:
    response: JSON = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _errors(*statuses: int) -> JSON:
    meaning = {
        400: "Invalid parameter (the message says which)",
        401: "The access token is missing its scheme, invalid, expired, or for another hub",
        404: "No such record on this hub",
    }
    return {str(status): _json(_ref("Error"), meaning[status]) for status in statuses}


def _page(kind: Kind) -> JSON:
    return {
        "type": "object",
        "properties": {
            "api_version": {"type": "string"},
            "kind": {"const": kind.name},
            "data": {"type": "array", "items": {"oneOf": [_ref(_schema_name(kind)), _ref("Tombstone")]}},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `after` to read on; equals `after` when nothing changed",
            },
            "has_more": {"type": "boolean"},
            "links": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "required": ["api_version", "kind", "data", "next_cursor", "has_more", "links"],
        "additionalProperties": False,
    }


def _search(kind: Kind) -> list[JSON]:
    """The ``q`` parameter, for the kinds the hub's search finds."""
    if not searched_as(kind):
        return []
    return [
        {
            "name": "q",
            "in": "query",
            "description": "Only the records the hub's search finds for these words, as the public "
            "list's search box does (Dutch and English, any inflection, words inside compounds); "
            "tombstones are left out",
            "schema": {"type": "string", "maxLength": MAX_SEARCH},
        }
    ]


def _paths() -> JSON:
    optional_token: list[JSON] = [{}, {"peerHub": []}]
    not_modified = {"304": {"description": "Not modified (If-None-Match)"}}
    paths: JSON = {
        f"{API_PATH}/": {
            "get": {
                "operationId": "index",
                "summary": "What this hub publishes, and where",
                "responses": {
                    "200": _json({"type": "object"}, "The kinds, the OpenAPI document, the token endpoint")
                },
            }
        },
        f"{API_PATH}/token": {
            "post": {
                "operationId": "token",
                "summary": "An access token for a registered peer client (OAuth2 client credentials)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "grant_type": {"type": "string", "enum": ["client_credentials"]},
                                    "scope": {"type": "string"},
                                    "client_id": {"type": "string"},
                                    "client_secret": {"type": "string"},
                                },
                                "required": ["grant_type"],
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(_ref("Token"), "A short-lived access token"),
                    "400": _json(_ref("OAuthError"), "Unsupported grant type, invalid scope or request"),
                    "401": _json(_ref("OAuthError"), "Unknown client, wrong secret or revoked client"),
                },
            }
        },
    }
    paths[f"{API_PATH}/ocds/pilots.json"] = {
        "get": {
            "operationId": "ocds_pilots",
            "summary": "This hub's pilots as an OCDS 1.1 release package (with the sustainability extension)",
            "responses": {"200": _json(OCDS_PACKAGE, "A release package, one release per live pilot")},
        }
    }
    for kind in KINDS.values():
        name = _schema_name(kind)
        paths[f"{API_PATH}/{kind.name}"] = {
            "get": {
                "operationId": f"list_{kind.name}",
                "summary": f"{kind.summary}: this hub's own, in order of change (tombstones included)",
                "security": optional_token,
                "parameters": [
                    {
                        "name": "after",
                        "in": "query",
                        "description": "The `next_cursor` of the previous page; leave out to start",
                        "schema": {"type": "string", "pattern": cursor.PATTERN.pattern},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
                    },
                    *_search(kind),
                ],
                "responses": {
                    "200": _json(_ref(f"{name}Page"), "Records changed after the cursor", ETAG),
                    **not_modified,
                    **_errors(400, 401),
                },
            }
        }
        paths[f"{API_PATH}/{kind.name}/{{uid}}"] = {
            "get": {
                "operationId": f"get_{kind.name.removesuffix('s')}",
                "summary": f"One record of {kind.name} by its uid",
                "security": optional_token,
                "parameters": [{"name": "uid", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": _json(_ref(name), "The record", ETAG),
                    **not_modified,
                    "308": {"description": "Mirrored here: the record lives at its home hub (Location)"},
                    "410": _json(_ref("Tombstone"), "Deleted at this hub (its tombstone)"),
                    **_errors(401, 404),
                },
            }
        }
    return paths


def openapi_document(base_url: str) -> dict[str, Any]:
    base = hub_address(base_url)
    schemas: JSON = {
        "Tombstone": TOMBSTONE,
        "Error": ERROR,
        "OAuthError": OAUTH_ERROR,
        "Token": TOKEN,
    }
    for kind in KINDS.values():
        schemas[_schema_name(kind)] = kind.schema()
        schemas[f"{_schema_name(kind)}Page"] = _page(kind)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Circular procurement network hub",
            "version": API_VERSION,
            "description": (
                "The records this hub publishes to the network, for peer hubs and open data. Read a kind "
                "from the start, then keep its `next_cursor` and ask for what changed `after` it. Public "
                "fields need no token; protected fields (contact details) need an access token from "
                f"{API_PATH}/token. Every record is named by its URI at its home hub (`id`)."
            ),
        },
        "servers": [{"url": base}],
        "paths": _paths(),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "peerHub": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": f"{base}{API_PATH}/token",
                            "scopes": {"hub.read": "Protected fields"},
                        }
                    },
                }
            },
        },
    }
