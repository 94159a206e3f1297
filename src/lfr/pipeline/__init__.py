"""The per-camera worker that composes the stages."""
