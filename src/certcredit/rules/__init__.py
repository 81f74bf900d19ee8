"""Rulebooks as data: the programs' requirements, windows, caps and versions (pure core)."""
