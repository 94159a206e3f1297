"""Watchlists under policy: entries (who, why, from which image, until when), their details
and checks, folder imports, the enrolled faces, and the lookalike negatives an operator's
rejections add to a subject."""
