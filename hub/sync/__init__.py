"""Sources, their scheduled runs, and the one place where connectors' items meet the database
(a peer hub's records too, in the format of ``hub.federation``)."""
