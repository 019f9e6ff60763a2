"""Connectors turn a source (feed, peer hub API, export) into plain items.

They never touch the database; ``hub.sync`` is the only place where items meet it.
"""
