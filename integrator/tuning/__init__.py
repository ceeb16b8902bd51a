"""Tuning: the tuning-spec library (``specs``: format, lookup, linking; ``library``: the
``specs`` stage), tuned choices per model (``choices``), a model's dispatches (``dispatches``),
and the auto-tuner (``tuner``) with its searches (``pipeline_search``, ``dispatch_search``,
``schedule_search``) over a shared session (``session``) and the trials database (``trials``)."""
