"""Face tracks across frames and best-shot selection."""
