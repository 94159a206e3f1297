"""A test-only record of the alerts a node raised: their ids, one a line, appended to a file
as each alert enters the outbox (before it can be lost), so a fault test can compare what the
nodes raised with what the centre stored. Ids only: no subject, no score, no crop.

Off unless ``lfr edge run`` finds ``ALERT_ID_LOG_ENV`` set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lfr.edge import protocol as proto
from lfr.edge.node.outbox import Outgoing

ALERT_ID_LOG_ENV = "LFR_TEST_EDGE_ALERT_ID_LOG"

Send = Callable[[Outgoing], None]


def logging_alert_ids(send: Send, path: Path) -> Send:
    """``send``, which first appends the id of each alert it is given to ``path``."""

    def send_and_log(message: Outgoing) -> None:
        if message.msg_id and proto.parse_up_subject(message.subject)[1] == "alert":
            with path.open("a", encoding="utf-8") as log:
                log.write(f"{message.msg_id}\n")
        send(message)

    return send_and_log


def read_alert_ids(path: Path) -> list[str]:
    """The ids a node logged, in order (none when it logged nothing)."""
    return path.read_text(encoding="utf-8").split() if path.exists() else []
