"""Federation: the publishing API other hubs pull from, the format of its records, and the peer
clients it admits.

Reading another hub is a sync like any other (``hub.sync.mirror`` stores a peer's records in this
format; ``hub.sync.peers`` lists the peers followed): sync builds on federation, never the reverse.
"""
