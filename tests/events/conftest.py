"""The workspace's fixtures (a network of programmes, a logged-in coordinator of GDCA), for the
events' workspace tests."""

from tests.coordinators import coordinator, network

__all__ = ["coordinator", "network"]
