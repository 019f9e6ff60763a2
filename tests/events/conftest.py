"""The workspace's fixtures (a network of programmes, a logged-in coordinator of GDCA), for the
events' workspace tests."""

from tests.workspace.conftest import coordinator, network

__all__ = ["coordinator", "network"]
