"""Schedules and pipelines: transform schedules found, built, verified and applied
(``schedule``), their building blocks (``transforms``), and the named IREE flag sets and
upstream pass pipelines of ``schedules/pipelines.toml`` (``pipelines``)."""
