"""integrator: an end-to-end ML compiler flow (models -> MLIR -> IREE -> checked benchmark).

The library holds every stage; ``tasks/`` only wires them into doit. Heavy imports (torch,
iree) happen inside the functions that need them so that loading the build graph stays fast.
"""

__version__ = "0.1.0"
