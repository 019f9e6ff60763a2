"""A network of programmes (the workspace's fixture) for the news pages too."""

from tests.coordinators import network

__all__ = ["network"]
