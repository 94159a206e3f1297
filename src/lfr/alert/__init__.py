"""Alert rules (evidence over frames, cool-down) and alert sinks."""
