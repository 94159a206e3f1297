"""Write (or check) the committed OpenAPI snapshot, ``docs/openapi.json``.

    python -m lfr.api.openapi            # rewrite docs/openapi.json
    python -m lfr.api.openapi --check    # exit 1 if it differs from what the app serves

The schema does not depend on any data: the app is built with placeholder services that no
route ever touches while the schema is generated.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, cast

from lfr.access.services import Services
from lfr.api.app import create_app
from lfr.api.config import WebConfig
from lfr.events.bus import InMemoryEventBus

SNAPSHOT = Path("docs") / "openapi.json"


def schema() -> dict[str, Any]:
    config = WebConfig(session_key=b"openapi schema only, not a secret")
    app = create_app(cast(Services, None), InMemoryEventBus(), config)
    return app.openapi()


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lfr.api.openapi")
    parser.add_argument("path", nargs="?", type=Path, default=SNAPSHOT)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    text = render(schema())
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.is_file() else ""
        if current != text:
            print(f"{args.path} is out of date: run python -m lfr.api.openapi", file=sys.stderr)
            return 1
        print(f"{args.path} is up to date")
        return 0
    args.path.write_text(text, encoding="utf-8")
    print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
