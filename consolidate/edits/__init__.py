"""Byte-exact text editors: management scripts and Markdown docs (CHANGELOG, ARCHITECTURE).
May import: the shared top-level modules only."""
