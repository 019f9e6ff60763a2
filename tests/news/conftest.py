"""A network of programmes (the workspace's fixture) for the news pages too."""

from tests.workspace.conftest import network

__all__ = ["network"]
