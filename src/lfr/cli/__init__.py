"""The ``lfr`` command line: one sub-command module each, registered by ``lfr.cli.main``.

Each module adds its parser and a ``handler``; a handler parses nothing itself, calls the
composition root (``lfr.app``) or a service, and prints the result.
"""

from lfr.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
