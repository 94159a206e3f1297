"""What travels sealed: alert crops (with the node's key), watchlist snapshots (AES-GCM with a
fresh key), and snapshots too large for one message as chunks."""
