"""Search across the hub: one text analysis, one index of every public record, one search page."""
