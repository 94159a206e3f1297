"""Retention at the top of governance: the purge that deletes what the policy no longer
allows to be kept (audited), and the evidential holds that keep an alert past it."""
