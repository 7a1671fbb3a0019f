"""Automatic discrepancy detection (系统比对, DETECTION_RULES.md).

The rules are pure functions in ``rules.py``; ``engine.py`` loads cases in bulk, runs them
and reconciles the findings; ``services.py`` holds the business actions around them.
"""

from .engine import DetectionResult, detect_campaign, detect_cases
from .services import (
    detect_after_import,
    detection_progress,
    detection_start,
    discrepancy_confirm,
    discrepancy_dismiss,
)

__all__ = [
    "DetectionResult",
    "detect_after_import",
    "detect_campaign",
    "detect_cases",
    "detection_progress",
    "detection_start",
    "discrepancy_confirm",
    "discrepancy_dismiss",
]
