"""The fleet: edge nodes (vans) that run cameras away from the control centre, over NATS
JetStream.

- ``protocol``: what the centre and the nodes say to each other (subjects, streams, messages);
- ``wire``: how a message is sealed on the way (alert crops, watchlist snapshots and their
  chunks);
- ``credentials``: the bus users' passwords and credential files;
- ``jetstream``, ``leaf``, ``hub_config``: the streams and consumers, a node's JetStream leaf,
  the hub's nats-server configuration;
- ``node``: an edge node process (``lfr edge run``); it imports no governance (a contract);
- ``centre``: the control centre's side (``lfr serve --nats``): the node registry, the
  commands, and the loops and consumers that store what the nodes send.
"""
