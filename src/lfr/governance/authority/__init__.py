"""What is decided from outside the planning flow: the independent authority's decisions on a
use (``requests``), the clock (``schedule``: window ends, emergency deadlines; ``clock``: the
authority's 24 hours), and the deletion of a refused use."""
