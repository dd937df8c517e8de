"""The engine's version: what a score means. Bump it whenever a result can change.

It is the only version name of the engine (``duibiao.engine.__version__``); every ScoringRun
stores it, and tests/engine/test_fingerprint.py records the results each version gives.
"""

__version__ = "1.0.1"
