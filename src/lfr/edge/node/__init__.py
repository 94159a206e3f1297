"""An edge node (``lfr edge run``): its link to the centre, its outbox, the cameras it runs.
It imports nothing of governance or the store: it knows only the protocol."""
