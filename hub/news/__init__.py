"""News from the programmes, as their feeds publish it."""
