"""From match to action: alerts enter (``intake``), an operator decides having seen both faces
(``views``, ``adjudication``), a second person verifies where the law asks (``verification``),
and what happened on the ground is recorded (``encounters``, with ``corroboration``: no arrest
on the match alone)."""
