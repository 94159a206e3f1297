"""The names of the fleet's machines, shared by the governed store (which camera runs on which
node: ``SPEC@node1``) and the fleet itself (subjects, consumers, bus users)."""

from __future__ import annotations

import re
from typing import Final

NODE_NAME: Final = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
"""A subject token and a consumer name both: no '.', '*', '>' or spaces."""
CENTRE_USER: Final = "centre"
"""The control centre's own user on the bus; never a node's name."""
