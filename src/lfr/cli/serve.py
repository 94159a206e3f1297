"""``lfr serve``: the web app, the live alert stream, the camera workers, metrics, the purge and
the schedule, in one process on the embedded defaults (SQLite in the data directory, an
in-process event bus), composed by ``lfr.app.build_control_centre``.

``--demo`` first sets up a demo data directory (accounts for every role with printed passwords,
the astronaut watchlist, a ready deployment whose camera is the built-in demo clip).
"""

from __future__ import annotations

import argparse
import base64
import ipaddress
import logging
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lfr.cli.common import add_data_dir_arg
from lfr.cli.engine.listen import listening_line, tls_files
from lfr.cli.stopping import StopRequest, stop_on_signals
from lfr.config import EngineConfig, Settings
from lfr.errors import LfrError

if TYPE_CHECKING:
    from lfr.api.demo_data import DemoSetup
    from lfr.app import LazyEnroller

log = logging.getLogger(__name__)
SESSION_KEY_FILE = "web_session.key"


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``lfr serve``."""
    parser = commands.add_parser(
        "serve", help="the web app: pages, JSON API, live alerts, camera workers, /metrics"
    )
    add_data_dir_arg(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="set up demo accounts, watchlist and deployment first (default data dir"
        " ~/.local/share/openlfr-demo) and print the logins",
    )
    parser.add_argument(
        "--secure-cookies",
        choices=("auto", "yes", "no"),
        default="auto",
        help="Secure flag on the session cookie (auto: off only on a loopback address)",
    )
    parser.add_argument(
        "--tls-cert",
        type=Path,
        metavar="FILE",
        help="serve HTTPS with this certificate (PEM; with --tls-key): needed to log in from"
        " another machine, since the login cookie is sent only over HTTPS",
    )
    parser.add_argument(
        "--tls-key", type=Path, metavar="FILE", help="the private key of --tls-cert (PEM)"
    )
    parser.add_argument(
        "--public-url",
        help="base URL printed in signage QR codes (the admin's site settings override it)",
    )
    parser.add_argument(
        "--purge-every",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="run the retention purge this often (default 3600)",
    )
    parser.add_argument(
        "--counts-every",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="store running cameras' counts this often (default 60): all a crash can lose",
    )
    parser.add_argument(
        "--publish-head-every",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="publish the audit log's head this often (default 3600)",
    )
    parser.add_argument(
        "--nats",
        metavar="URL",
        help="also take alerts from edge nodes over this NATS JetStream server (nats://HOST:PORT;"
        " the centre's credentials come from 'lfr nats config')",
    )
    parser.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from lfr.api import WebConfig
    from lfr.app import LazyEnroller, build_control_centre
    from lfr.store.scrape_token import scrape_token_digest

    for option in ("purge_every", "counts_every", "publish_head_every"):
        if getattr(args, option, 1.0) <= 0:
            raise LfrError(f"--{option.replace('_', '-')} must be positive")
    tls = tls_files(args.tls_cert, args.tls_key)
    settings = _settings(args)
    engine_config = EngineConfig()
    enroller = LazyEnroller(engine_config)
    if args.demo:
        _demo(settings, enroller, args, "https" if tls else "http")
    web_config = WebConfig(
        session_key=session_key(settings.data_dir, os.environ),
        secure_cookies=tls is not None or _secure(args.secure_cookies, args.host),
        public_url=args.public_url,
        images=engine_config.images,
        scrape_token_sha256=scrape_token_digest(settings.data_dir, os.environ),
    )
    centre = build_control_centre(
        settings,
        web_config,
        os.environ,
        engine_config=engine_config,
        enroller=enroller,
        purge_every_s=args.purge_every,
        counts_every_s=args.counts_every,
        head_every_s=args.publish_head_every,
        nats_url=args.nats,
    )
    # Open alert streams never end by themselves: give them 3 s on shutdown, then close.
    certfile, keyfile = tls or (None, None)
    server = uvicorn.Server(
        uvicorn.Config(
            centre.web,
            host=args.host,
            port=args.port,
            timeout_graceful_shutdown=3,
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
        )
    )
    # uvicorn answers SIGINT/SIGTERM itself while it serves and passes them on when it is done;
    # a signal before or after that sets ``stop`` and ends the server as well.
    stop = StopRequest()
    stop.on_stop(lambda: setattr(server, "should_exit", True))
    running: list[int] = []
    try:
        with stop_on_signals(stop):
            resumed = centre.start()
            if resumed:
                print(f"resumed the cameras of deployment(s) {_ids(resumed)}", flush=True)
            print(listening_line(args.host, args.port, tls is not None), flush=True)
            if not stop.is_set():
                server.run()
    finally:
        running = centre.stop()
    print(_stopped(stop, running), flush=True)
    return stop.code


def _stopped(stop: StopRequest, running: list[int]) -> str:
    """The summary of a stop: what was running, and that its counts are stored."""
    how = f"lfr serve: {stop.note or 'stopped'}"
    if not running:
        return f"{how}; no cameras were running."
    return (
        f"{how}; the cameras of deployment(s) {_ids(running)} stopped and their counts are"
        " stored; they resume when the server starts again."
    )


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids)


def _settings(args: argparse.Namespace) -> Settings:
    data_dir: Path | None = args.data_dir
    if args.demo and data_dir is None and "LFR_DATA_DIR" not in os.environ:
        data_dir = Path(os.environ.get("HOME", ".")) / ".local" / "share" / "openlfr-demo"
    return Settings.from_env(dict(os.environ), data_dir=data_dir)


def _demo(
    settings: Settings, enroller: LazyEnroller, args: argparse.Namespace, scheme: str
) -> None:
    from lfr.api.demo_data import seed_demo
    from lfr.app import build_services, init_data_dir
    from lfr.ingest.synthetic import demo_watchlist_image

    init_data_dir(settings)
    services = build_services(settings, os.environ)
    try:
        setup = seed_demo(services, enroller(), demo_watchlist_image())
    finally:
        services.db.dispose()
    _print_demo(setup, settings, f"{scheme}://{_shown_host(args.host)}:{args.port}")


def _print_demo(setup: DemoSetup, settings: Settings, base: str) -> None:
    print(f"OpenLFR demo (data in {settings.data_dir})")
    print(f"  {'user':<8} {'password':<18} role: what they do")
    for name, entry in setup.credentials.items():
        role = entry["role"].replace("_", " ")
        print(f"  {name:<8} {entry['password']:<18} {role}: {entry['does']}")
    operator = next(n for n, e in setup.credentials.items() if e["role"] == "operator")
    print(
        f"\nLog in at {base}/login as {operator}, open {base}/deployments/{setup.deployment_id}"
        f" and press Start;\nthen open {base}/alerts: the alert arrives live within seconds."
        f"\n(The passwords are also in {settings.data_dir / 'demo-credentials.json'}.)\n",
        flush=True,
    )


def session_key(data_dir: Path, environ: dict[str, str] | os._Environ[str]) -> bytes:
    """$LFR_SESSION_KEY (base64), else ``keys/web_session.key`` (made once, mode 0600)."""
    if environ.get("LFR_SESSION_KEY"):
        try:
            key = base64.b64decode(environ["LFR_SESSION_KEY"], validate=True)
        except ValueError:
            raise LfrError("LFR_SESSION_KEY is not base64") from None
        if len(key) < 32:
            raise LfrError("LFR_SESSION_KEY must hold at least 32 bytes")
        return key
    path = data_dir / "keys" / SESSION_KEY_FILE
    if not path.exists():
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(base64.b64encode(secrets.token_bytes(32)) + b"\n")
    return base64.b64decode(path.read_bytes().strip())


def _secure(choice: str, host: str) -> bool:
    if choice != "auto":
        return choice == "yes"
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def _shown_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host
