"""The estimation engine: what AI compute costs, from prices and physics.

Pure Python and numpy (no dagster, no database). Modules, from primitives up:

- ``precisions`` — number formats: bytes per element, which peak column applies.
- ``flops``, ``memory``, ``roofline``, ``cost`` — vectorized formulas (estimation.md 3).
- ``inference``, ``training`` — whole-scenario estimates over broadcast arrays.
- ``assumptions`` — :class:`EstimationAssumptions`, every assumption with default and source.
- ``reference``, ``names``, ``efficiency`` — reference CSVs, name resolution, efficiency lookup.
- ``tables`` — the pipeline's table functions (pandas in, pandas out).
- ``calibration`` — fit of the efficiencies on MLPerf and projected-vs-measured.
"""
