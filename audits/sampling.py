"""The leader's spot-check sample: a pure, seeded draw anyone can repeat from the seed."""

from __future__ import annotations

import math
import random
from decimal import Decimal


def sample_size(population: int, rate) -> int:
    """Cases to draw: the rate of the population, rounded up (a positive rate draws at least one)."""
    rate = Decimal(str(rate))
    if population <= 0 or rate <= 0:
        return 0
    return min(population, math.ceil(Decimal(population) * rate))


def draw(case_ids, rate, seed: int) -> set[int]:
    """The randomly drawn cases: the same ids, rate and seed always give the same sample."""
    ids = sorted(set(case_ids))
    return set(random.Random(seed).sample(ids, sample_size(len(ids), rate)))
