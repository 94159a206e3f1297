"""Who may speak on the bus: generated passwords, their bcrypt hashes for nats-server, and
the credential files of the nodes and the centre."""
