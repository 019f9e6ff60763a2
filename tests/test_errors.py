"""Errors under /api/ are JSON documents (moved here from the former tests/test_api.py)."""

from __future__ import annotations

from starlette.testclient import TestClient


def test_unknown_api_path_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
