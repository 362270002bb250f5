"""Checks after a removal: static checks of imports, compose and links, and Docker stack checks.
May import: the shared top-level modules, `analysis`, `compose`, `edits`."""
