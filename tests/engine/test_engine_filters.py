import numpy as np

from motionctl.engine.filters import OneEuroFilter


def test_constant_signal_passes_unchanged() -> None:
    f = OneEuroFilter()
    out = [f(np.array([0.3, -1.2]), 1 / 30) for _ in range(30)]
    assert np.allclose(out[-1], [0.3, -1.2])


def test_jitter_is_reduced_but_a_step_is_followed() -> None:
    rng = np.random.default_rng(0)
    f = OneEuroFilter()
    noisy = 0.01 * rng.standard_normal(120)
    smoothed = np.array([f(np.array([v]), 1 / 30)[0] for v in noisy])
    assert smoothed[20:].std() < 0.5 * noisy[20:].std()
    g = OneEuroFilter()
    step = [g(np.array([0.0 if i < 30 else 1.0]), 1 / 30)[0] for i in range(60)]
    assert step[-1] > 0.97  # a real move is not lagged away
