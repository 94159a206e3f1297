"""Governance services: users and roles, policy, watchlists, deployments, alerts, retention.

The CLI and the HTTP API both call these services; every call checks the actor's role, runs
in one transaction (no partial writes) and writes the audit log.
"""
