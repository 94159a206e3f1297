"""The watchlists a planner may choose from: names and entry counts, never the entries
(operators plan deployments but may not read watchlists)."""

from __future__ import annotations

from sqlalchemy import select

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.governance.watchlists.entries import WatchlistView, watchlist_view
from lfr.store.tables import Watchlist as WatchlistRow


def watchlists_to_plan_with(services: Services, actor: Actor) -> list[WatchlistView]:
    require(actor, Action.DEPLOYMENT_PLAN)
    with services.transaction() as session:
        now = services.clock()
        rows = session.scalars(select(WatchlistRow).order_by(WatchlistRow.name)).all()
        return [watchlist_view(session, row, now) for row in rows]
