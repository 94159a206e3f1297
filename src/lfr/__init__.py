"""OpenLFR: live facial recognition against a watchlist, with safeguards enforced in code."""

__version__ = "0.1.0"
