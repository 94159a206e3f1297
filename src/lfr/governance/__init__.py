"""Governance services, one room per concept, each importing only the rooms below it (an
import-linter contract):

- ``retention``: the purge and evidential holds (the top);
- ``authority``: the independent authority's decisions, the clock, deleting a refused use;
- ``alerts``: intake, review having seen both faces, verification, encounters;
- ``deployments``: plan, authorise, go live on a frozen snapshot, cameras, end (``lifecycle``);
- ``records``: the published records, documents, regulator reports, the site's settings;
- ``watchlists`` and ``accounts``: who may be searched for, and who works the system;
- ``law``: the policy and the jurisdiction profiles (the floor);
- ``states``: the one vocabulary of deployment and alert states and end reasons.

The CLI and the HTTP API both call these services; every call checks the actor's role, runs
in one transaction (no partial writes) and writes the audit log.
"""
