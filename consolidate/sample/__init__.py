"""Bundled sample repository used by ``consolidate demo``."""
