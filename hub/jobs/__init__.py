"""Scheduled work: what is due lives in the database, APScheduler only ticks."""
