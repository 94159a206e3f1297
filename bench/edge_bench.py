"""The edge-node benchmark (issue 9): N ``lfr edge run`` processes on a real nats-server with a
control centre, one camera a node on the clip at real-time pace (frames dropped, alerts raised
against stored, latency raised -> stored -> received by an SSE client), then the alert
intake's throughput on SQLite and PostgreSQL. Outputs bench/out/edge.{md,json,png}.

    .venv/bin/python bench/edge_bench.py            # the full run (a quiet machine)
    .venv/bin/python bench/edge_bench.py --quick    # a smoke run: 1 node, 1 round, 100 alerts
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from common import BENCH, CLIP, DEFAULT_DATA, link_watchlist
from edge_report import render, save_chart, summarise

OUT = BENCH / "out"


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", default="1,2,4", help="node counts to run (default 1,2,4)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds per node count (default 6)")
    parser.add_argument("--intake-alerts", type=int, default=1000, help="synthetic alerts (1000)")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("LFR_TEST_PG_URL"),
        help="PostgreSQL for the intake (default $LFR_TEST_PG_URL; none: PostgreSQL skipped)",
    )
    parser.add_argument("--skip-nodes", action="store_true", help="only the intake")
    parser.add_argument("--skip-intake", action="store_true", help="only the nodes")
    parser.add_argument("--quick", action="store_true", help="smoke: 1 node, 1 round, 100 alerts")
    parser.add_argument(
        "--leaf",
        action="store_true",
        help="each node on its own leaf server (lfr nats leaf-config), as on an edge machine",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared test data")
    args = parser.parse_args()
    if args.quick:
        args.nodes, args.rounds, args.intake_alerts = "1", 1, 100
    return args


def run_nodes_section(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    from edge_centre import RunningCentre
    from edge_rounds import run_nodes
    from edge_setup import (
        OPERATOR,
        NatsServer,
        add_nodes,
        free_port,
        make_accounts,
        start_leaves,
        store_watchlist,
        write_nats_config,
    )
    from lfr.app import build_engine, build_services, init_data_dir
    from lfr.config import EngineConfig, Settings
    from lfr.pipeline.engine import enrol_watchlist

    counts = sorted({int(n) for n in args.nodes.split(",")})
    work.mkdir(parents=True)
    clip = (args.data / CLIP).resolve()
    config = EngineConfig()
    watchlist = enrol_watchlist(
        build_engine(config), link_watchlist(args.data / "faces", work), progress=False
    )[0]
    templates = [watchlist.template(i) for i in range(watchlist.size)]
    settings = Settings(data_dir=work / "centre", media_dirs=(clip.parent,))
    init_data_dir(settings)
    services = build_services(settings, {})
    accounts = make_accounts(services)
    creds = add_nodes(services, [f"node{i + 1}" for i in range(max(counts))], work)
    watchlist_id = store_watchlist(services, templates)
    services.db.dispose()
    port, leaf_port = free_port(), free_port() if args.leaf else None
    write_nats_config(settings.data_dir, None, accounts, work / "nats.conf", port, leaf_port)
    server = NatsServer(work / "nats.conf", port)
    urls: dict[str, str] = {name: server.url for name in creds}
    leaves: list[NatsServer] = []
    if leaf_port is not None:
        urls, leaves = start_leaves(creds, leaf_port, work / "leaves")
    centre = RunningCentre(settings, server.url)
    runs = []
    try:
        centre.start(OPERATOR.username, accounts.password(OPERATOR))
        for n in counts:
            chosen = {name: creds[name] for name in sorted(creds)[:n]}
            runs.append(
                run_nodes(
                    centre,
                    urls,
                    watchlist_id,
                    clip,
                    chosen,
                    work / f"nodes-{n}",
                    args.rounds,
                    config.alert.threshold,
                )
            )
    finally:
        centre.stop()
        for leaf in leaves:
            leaf.stop()
        server.stop()
    return runs


def run_intake_section(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from edge_intake import intake_run, postgres_schema

    intake: dict[str, Any] = {"sqlite": intake_run(work / "sqlite", None, args.intake_alerts)}
    if not args.pg_url:
        print("PostgreSQL SKIPPED: no --pg-url and no $LFR_TEST_PG_URL", flush=True)
        intake["postgresql"] = {"skipped": "no --pg-url or $LFR_TEST_PG_URL given"}
        return intake
    with postgres_schema(args.pg_url) as url:
        intake["postgresql"] = intake_run(work / "postgresql", url, args.intake_alerts)
    return intake


def main() -> int:
    from machine import cpu_share, cpu_times, loadavg, machine_info

    args = options()
    results: dict[str, Any] = {
        "machine": machine_info(),
        "quick": args.quick,
        "leaf": args.leaf,
        "clip": str(CLIP),
    }
    cpu_at_start = cpu_times()
    # The work folder holds a centre's database (sealed alert crops): deleted when done.
    with tempfile.TemporaryDirectory(prefix="lfr-edge-bench-") as folder:
        work = Path(folder)
        if not args.skip_nodes:
            results["nodes"] = run_nodes_section(args, work / "nodes")
            results["nodes_summary"] = [summarise(run) for run in results["nodes"]]
        if not args.skip_intake:
            results["intake"] = run_intake_section(args, work / "intake")
    results["machine"]["cpu"] = cpu_share(cpu_at_start)
    results["machine"]["loadavg_at_end"] = loadavg()
    OUT.mkdir(exist_ok=True)
    name = "edge-leaf" if args.leaf else "edge"  # the two topologies side by side
    (OUT / f"{name}.json").write_text(json.dumps(results, indent=1) + "\n")
    (OUT / f"{name}.md").write_text(render(results) + "\n")
    charted = save_chart(results.get("nodes_summary", []), OUT / f"{name}.png")
    print(render(results))
    print(f"\nwritten: {OUT / name}.json, .md" + (", .png" if charted else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
