import numpy as np

from motionctl.engine.filters import CentredGaussian


def test_constant_and_linear_signals_pass_unchanged() -> None:
    g = CentredGaussian(1.0)
    ramp = [np.array([0.5 * i, -1.0]) for i in range(20)]
    for i in range(g.half, 20 - g.half):  # inside the clip a straight move keeps its pace: no lag
        assert np.allclose(g.at(ramp, i), ramp[i])


def test_jitter_is_reduced_and_a_step_is_not_delayed() -> None:
    rng = np.random.default_rng(0)
    g = CentredGaussian(1.0)
    noisy = [np.array([v]) for v in 0.01 * rng.standard_normal(120)]
    smoothed = np.array([g.at(noisy, i)[0] for i in range(120)])
    assert smoothed.std() < 0.6 * np.std(noisy)
    step = [np.array([0.0 if i < 30 else 1.0]) for i in range(60)]
    values = [g.at(step, i)[0] for i in range(60)]
    assert values[28] < 0.1 and values[31] > 0.6 and values[33] > 0.97  # centred on the step, as the input


def test_window_is_cut_at_the_ends() -> None:
    g = CentredGaussian(1.0)
    values = [np.array([1.0]), np.array([3.0])]
    assert 1.0 < g.at(values, 0)[0] < 2.0 and 2.0 < g.at(values, 1)[0] < 3.0
