"""Who is acting and what they may do (``roles``), and what every service call acts through
(``services``: the database, the cipher, the audit trail and the clock).

Below both ``audit`` and ``governance``, so neither has to import the other for these.
"""
