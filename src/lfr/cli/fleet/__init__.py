"""Commands for the fleet: add and remove edge nodes, run one (``lfr edge run``), write the
nats-server configuration of the hub and of a van's leaf."""
