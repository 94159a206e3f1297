"""Where cameras run: the one home of a deployment's camera workers.

``deployment`` scans every camera of a live deployment (a thread and an engine each) and
returns a typed ``RunReport``; ``host`` starts such runs in the background inside ``lfr serve``
and publishes health and alerts on the event bus; ``monitor`` measures the sources; ``sources``
opens them as live cameras. The runtime reaches the governed store only through
``port.DeploymentPort`` (open a run, store an alert, add counts, say why to stop, run the
schedule, hand over the lookalike negatives of rejected alerts):
``lfr.centre.camera_port`` implements it on the database, and a camera node away from the
control centre can implement it over a bus.
"""
