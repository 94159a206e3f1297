"""The in-process event bus inside one ``lfr serve``: camera workers and the fleet's centre
announce stored alerts, camera health and deployment changes; the web app streams them to
officers and ``/metrics`` counts them. It carries no biometric data and never leaves the
process (``InMemoryEventBus``; ``EventBus`` is the seam). The fleet's bus between machines,
NATS JetStream, is another thing and lives in ``lfr.edge``.
"""

from lfr.events.bus import Event, EventBus, InMemoryEventBus, Subscription

__all__ = ["Event", "EventBus", "InMemoryEventBus", "Subscription"]
