"""Watchlist search: compare descriptors with enrolled templates."""
