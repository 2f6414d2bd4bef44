"""Zero-lag smoothing of keypoint tracks: a centred Gaussian over a few frames either side.

A causal filter (One-Euro) lags fast moves. Rendering may wait a few frames, so the engine smooths
with a window centred on the frame instead: no lag, and BlazePose's frame-to-frame jitter about halved
at sigma one frame (``benchmarks/smoothing.py`` measures jitter and lag per sigma).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


class CentredGaussian:
    """Weights for a centred Gaussian window of ``sigma`` frames, cut at 2.5 sigma."""

    def __init__(self, sigma: float = 1.0) -> None:
        self.sigma = sigma
        self.half = max(0, math.ceil(2.5 * sigma)) if sigma > 0 else 0
        offsets = np.arange(-self.half, self.half + 1, dtype=np.float64)
        self._kernel = np.exp(-0.5 * (offsets / sigma) ** 2) if sigma > 0 else np.ones(1)

    def at(self, values: Sequence[np.ndarray], i: int) -> np.ndarray:
        """The smoothed value of ``values[i]``; near either end the window is cut and renormalised."""
        lo, hi = max(0, i - self.half), min(len(values), i + self.half + 1)
        k = self._kernel[lo - i + self.half : hi - i + self.half]
        stacked = np.stack([np.asarray(v, np.float64) for v in values[lo:hi]])
        return np.tensordot(k / k.sum(), stacked, axes=1)
