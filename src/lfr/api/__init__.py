"""The HTTP API and the web pages: a FastAPI app built by ``create_app`` from services made
elsewhere (``lfr serve`` composes them); nothing is built at import time."""

from lfr.api.app import create_app
from lfr.api.config import WebConfig

__all__ = ["WebConfig", "create_app"]
