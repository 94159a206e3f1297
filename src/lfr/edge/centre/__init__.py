"""The control centre's side of the fleet: the nodes allowed on the bus (``nodes``), what the
centre tells them and keeps of their answers (``commands``), and, on a thread of its own
(``link``), the consumers and loops that store their alerts (``intake``), follow the registry
(``registry``) and send commands (``control``)."""
