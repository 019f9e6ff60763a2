"""Sources, their scheduled runs, and the one place where connectors' items meet the database."""
