"""Ingress: model files -> MLIR. Model discovery and settings (``models``), the formats
(``formats``: one record per format), one importer per format (``from_torch``, ``from_onnx``,
``from_mlir``), seeded inputs (``inputs``), and the import stage (``importer``)."""
