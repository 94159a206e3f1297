"""Templates (Jinja2) and static assets (CSS, small vanilla JavaScript, no build step) of the
web pages; the routes that render them are in ``lfr.api.pages``."""

from pathlib import Path

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
