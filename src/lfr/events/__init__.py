"""The event bus between the camera side and the control centre (web app, metrics).

Camera workers publish alerts and camera health; the web app streams them to officers and
``/metrics`` counts them. The embedded default is in-process (``InMemoryEventBus``); the
``EventBus`` protocol is the seam for a bus across machines (NATS JetStream, say).
"""

from lfr.events.bus import Event, EventBus, InMemoryEventBus, Subscription

__all__ = ["Event", "EventBus", "InMemoryEventBus", "Subscription"]
