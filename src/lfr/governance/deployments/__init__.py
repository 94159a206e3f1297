"""A deployment's life (the state machine is ``lfr.governance.states`` driven by
``lifecycle``): the plan, authorisation under the independent-authority rules, the go-live
conditions (``go_live``, ``jurisdiction_checks``), the frozen watchlist ``snapshot``, its
cameras and on which node each runs, which officers are assigned, and the facts kept for the
published record."""
