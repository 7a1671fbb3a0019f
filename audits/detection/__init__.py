"""Automatic discrepancy detection (系统比对, DETECTION_RULES.md).

Public entry points; the rules themselves are pure functions in ``rules.py`` and the
database work (bulk loading, reconciling findings) is in ``engine.py``.
"""

from .services import detect_after_import

__all__ = ["detect_after_import"]
