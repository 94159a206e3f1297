"""Watchlist enrolment from folders of photos."""
