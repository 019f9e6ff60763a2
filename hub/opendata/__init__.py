"""Open data: Atom feeds, CSV and JSON downloads of the public lists, and an OCDS export of pilots."""
