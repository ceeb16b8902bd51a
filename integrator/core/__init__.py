"""The core: project settings (``project``), what builds each model (``selection``, ``build``),
the stage table (``stages``) and its code inputs (``code``), where artifacts live
(``artifacts``), the host CPU (``host``), tool versions, errors, progress, and the command line
(``cli``, with the ``models`` catalogue and the ``ir`` view)."""
