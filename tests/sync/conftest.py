"""The workspace fixtures (a network of programmes, a logged-in coordinator) for sync pages too."""

from tests.coordinators import coordinator, network

__all__ = ["coordinator", "network"]
