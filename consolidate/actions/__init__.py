"""Reversible actions: each describes itself, applies itself and returns a receipt, and undoes
itself from that receipt. May import: the shared top-level modules and every part package."""
