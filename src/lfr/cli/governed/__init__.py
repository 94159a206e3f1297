"""Commands of the governed system: users, policy, watchlists, deployments, alerts and
encounters, the audit log, documents, reports and the independent authority."""
