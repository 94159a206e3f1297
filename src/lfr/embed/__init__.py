"""Alignment, quality gates and face descriptors."""
