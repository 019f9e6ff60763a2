"""The circular procurement network hub."""
