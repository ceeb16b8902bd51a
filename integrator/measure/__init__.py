"""Measurement: the check against the framework (``check``), the bench (``bench``) against
the baselines users already have (``baselines``), statistics (``stats``), the machine's peak
(``peak``) and the report over every model (``report``)."""
