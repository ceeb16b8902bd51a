"""doit wiring: turns the library's stages (``integrator.stages``) into tasks. No logic here."""
