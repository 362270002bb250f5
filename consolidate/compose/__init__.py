"""Compose surgery: parse compose files, locate services and what refers to them, splice them out
byte for byte, and check a project. May import: the shared top-level modules, `edits`."""
