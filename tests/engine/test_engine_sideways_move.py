"""The sideways move that keeps a figure's hands inside the picture (puppet/framing.SidewaysMove), on
rooms made here: each frame's wish and the moves that keep every fingertip inside the margin."""

from __future__ import annotations

import numpy as np
import pytest

from motionctl.engine.puppet.framing import FAST_STEPS, LOOK_AHEAD, Room, SidewaysMove

STEP = 6.0


def moves_for(rooms: list[Room]) -> np.ndarray:
    move: SidewaysMove[int] = SidewaysMove(STEP)
    released = [m for i, room in enumerate(rooms) for m in move.push(i, room)] + move.flush()
    assert [i for i, _ in released] == list(range(len(rooms)))  # every frame, in order
    return np.array([dx for _, dx in released])


def clear() -> Room:
    return Room(0.0, -300.0, 300.0)


def test_a_figure_whose_hands_stay_clear_is_not_moved() -> None:
    assert np.all(moves_for([clear()] * 50) == 0.0)


def test_a_dancer_stepping_aside_while_her_arms_swing_across_keeps_both_hands_inside() -> None:
    # Her left hand needs the figure 120 px to the right, then, within 20 frames, her right hand
    # needs it 60 px to the left: 180 px, faster than the step (6 px a frame) can turn.
    rooms = [Room(120.0, 115.0, 400.0)] * 40
    rooms += [Room(120.0 - 9.0 * k, 115.0 - 9.0 * k, 400.0 - 22.8 * k) for k in range(1, 21)]
    rooms += [Room(-60.0, -400.0, -56.0)] * 40
    moves = moves_for(rooms)
    least, most = np.array([r.least for r in rooms]), np.array([r.most for r in rooms])
    assert np.all(moves >= least - 1e-6) and np.all(moves <= most + 1e-6)  # no fingertip past the margin
    steps = np.abs(np.diff(moves))
    assert steps.max() > STEP  # faster than the step where it had to be ...
    assert steps.max() <= FAST_STEPS * STEP + 1e-6  # ... but never a jump
    assert moves[-1] == pytest.approx(-60.0)


def test_the_move_eases_within_its_step_when_it_can_start_early() -> None:
    # One hand swings out for five frames: the move starts ahead and never exceeds the step.
    rooms = [clear()] * 40 + [Room(50.0, 45.0, 300.0)] * 5 + [clear()] * 40
    moves = moves_for(rooms)
    assert np.abs(np.diff(moves)).max() <= STEP + 1e-6
    assert np.all(moves[40:45] >= 45.0)  # there when the hand is out
    assert moves[40 - LOOK_AHEAD // 4] > 0.0  # started before it
    assert moves[-1] == 0.0


def test_hands_spread_wider_than_the_picture_are_cut_alike_on_both_sides() -> None:
    # 40 px too wide: the left hand needs a move of >= 30, the right <= -10; 10 cuts each by 20 px.
    rooms = [clear()] * 35 + [Room(0.0, 30.0, -10.0)] * 20 + [clear()] * 35
    moves = moves_for(rooms)
    assert moves[35:55] == pytest.approx(np.full(20, 10.0))
    assert moves[0] == 0.0 and moves[-1] == 0.0
