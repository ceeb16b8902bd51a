"""doit wiring: turns the stage table (``integrator.core.stages``) into tasks (``graph.py``)."""
