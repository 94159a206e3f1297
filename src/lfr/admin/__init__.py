"""Administration commands of the governed system (``lfr init``, ``lfr user`` ...).

Each module registers its sub-commands; every handler authenticates the actor, calls a
service and prints the result.
"""
