"""Legs in skirts, dresses and trousers: which garment pixels go with a leg, so no garment tears.

Capsules around the thighs cut strips out of a skirt, which then split between the legs as they
part (a dress opens down the middle). A leg that comes out of a garment keeps
only what shows below the hem; the garment goes with the torso, and the leg is drawn behind it.
"""

from __future__ import annotations

import numpy as np

from motionctl.engine.puppet.rig import Joints, axial_param, segment_distance

# A leg is inside a garment where the matte across its bone is wider than this many bare-leg radii
# on either side: wider than both legs side by side (about 2), so legs together in trousers stay legs.
SKIRT_WIDTH = 2.6


def _chain_point(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, pos: float) -> np.ndarray:
    """The point at ``pos`` along hip -> knee (0..1) -> ankle (1..2)."""
    return hip + pos * (knee - hip) if pos <= 1.0 else knee + (pos - 1.0) * (ankle - knee)


def half_width(fg: np.ndarray, centre: np.ndarray, across: np.ndarray, reach: int) -> float:
    """Half the length of the run of foreground through ``centre`` along ``across`` (a unit vector)."""
    h, w = fg.shape
    steps = np.arange(-reach, reach + 1)
    xy = np.rint(centre[None, :] + steps[:, None] * across[None, :]).astype(int)
    inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
    on = np.zeros(len(steps), bool)
    on[inside] = fg[xy[inside, 1], xy[inside, 0]]
    if not on[reach]:
        return 0.0
    off = np.nonzero(~on)[0]
    left = off[off < reach].max() + 1 if (off < reach).any() else 0
    right = off[off > reach].min() - 1 if (off > reach).any() else len(steps) - 1
    return (right - left + 1) / 2.0


def skirt_hem(fg: np.ndarray, hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, bare: float) -> float:
    """Where along hip -> knee -> ankle (0 at the hip, 1 at the knee, 2 at the ankle) the leg comes
    out of a skirt: the first point where the matte across the leg is leg-like again. 0 for a bare
    leg, 2 for one covered to the ankle."""
    reach = int(3 * SKIRT_WIDTH * bare) + 2
    for pos in np.linspace(0.0, 2.0, 41):
        a, b = (hip, knee) if pos <= 1.0 else (knee, ankle)
        d = (b - a) / max(float(np.linalg.norm(b - a)), 1e-6)
        if half_width(fg, _chain_point(hip, knee, ankle, pos), np.array([-d[1], d[0]]), reach) <= SKIRT_WIDTH * bare:
            return float(pos)
    return 2.0


HEM_COLOUR = 60.0  # RGB distance from the bare leg's colour that marks the garment


def colour_hem(image: np.ndarray, fg: np.ndarray, hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray,
               below: float) -> float:
    """Refine a hem found by width: the leg's own colour (tights, skin) often goes on up under a
    translucent petticoat; the garment starts where the colour along the bone leaves the shin's."""
    h, w = fg.shape

    def colour(pos: float) -> np.ndarray | None:
        x, y = np.rint(_chain_point(hip, knee, ankle, pos)).astype(int)
        if not (1 <= x < w - 1 and 1 <= y < h - 1) or not fg[y, x]:
            return None
        return np.median(image[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3).astype(np.float32), axis=0)

    shin = [c for c in (colour(p) for p in np.linspace(1.3, 1.8, 6)) if c is not None]
    if not shin:
        return below
    bare = np.median(np.stack(shin), axis=0)
    for pos in np.arange(below, -1e-6, -0.05):
        c = colour(float(pos))
        if c is not None and float(np.linalg.norm(c - bare)) > HEM_COLOUR:
            return float(pos)
    return below


def tuck_under_garments(image: np.ndarray, pts: np.ndarray, label: np.ndarray, fg: np.ndarray, joints: Joints,
                        limbs: list[str], bare: dict[str, float]) -> list[str]:
    """Relabel (in place) the skirt over each leg as torso, down to its hem; the legs that come out of
    one are returned (drawn behind the torso). ``bare``: each leg's bare half-width (pixels)."""
    tucked = []
    for i, limb in enumerate(limbs):
        if not limb.endswith("leg"):
            continue
        side = limb.split("_")[0]
        hip, knee, ankle = (joints[f"{side}_{j}"] for j in ("hip", "knee", "ankle"))
        hem = skirt_hem(fg, hip, knee, ankle, bare[limb])
        if hem <= 0.05:
            continue
        hem = colour_hem(image, fg, hip, knee, ankle, hem)
        mine = label == i + 1
        p = pts[mine]
        on_thigh = segment_distance(p, hip, knee) <= segment_distance(p, knee, ankle)
        along_thigh = np.clip(axial_param(p, hip, knee), 0, 1)
        pos = np.where(on_thigh, along_thigh, 1 + np.clip(axial_param(p, knee, ankle), 0, 1))
        sub = label[mine]
        sub[pos < hem] = 0
        label[mine] = sub
        tucked.append(limb)
    # Where the garment parts between standing legs, each part is a trouser leg (or a leg below a hem).
    gap = crotch(fg, joints) if standing(joints, limbs) else None
    if gap is not None:
        legs_take_trousers(pts, label, joints, limbs, bare, gap)
    return tucked


def body_down(joints: Joints) -> np.ndarray:
    """The unit vector from the shoulders' middle to the hips' middle."""
    down = joints["mid_hip"] - joints["mid_shoulder"]
    return down / max(float(np.linalg.norm(down)), 1e-6)


STANDING_TILT = 40.0  # degrees: the most a standing thigh leans from the body's downward axis


def standing(joints: Joints, limbs: list[str]) -> bool:
    """Both legs animated and both thighs hanging down along the body: seated thighs come towards the
    camera or sideways over a lap, where "below the crotch" is the lap itself."""
    if not all(f"{side}_leg" in limbs for side in ("left", "right")):
        return False
    down = body_down(joints)
    for side in ("left", "right"):
        thigh = joints[f"{side}_knee"] - joints[f"{side}_hip"]
        length = float(np.linalg.norm(thigh))
        if length < 1e-6 or float(thigh @ down) / length < np.cos(np.radians(STANDING_TILT)):
            return False
    return True


def crotch(fg: np.ndarray, joints: Joints) -> np.ndarray | None:
    """The top of the gap between the legs: going down both legs together (hip, knee, ankle), the
    first background point on the line between them; None when the legs touch all the way (a long
    skirt, legs together) or leave the picture first."""
    h, w = fg.shape
    chains = [[joints[f"{side}_{j}"] for j in ("hip", "knee", "ankle")] for side in ("left", "right")]
    for pos in np.linspace(0.0, 2.0, 81):
        left, right = (_chain_point(hip, knee, ankle, float(pos)) for hip, knee, ankle in chains)
        n = int(np.linalg.norm(right - left)) + 1
        xy = np.rint(left[None, :] + np.linspace(0.1, 0.9, max(n, 2))[:, None] * (right - left)[None, :]).astype(int)
        inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
        if not inside.all():
            return None
        gap = ~fg[xy[:, 1], xy[:, 0]]
        if gap.any():
            return xy[gap].mean(axis=0).astype(np.float32)
    return None


# How far from a leg's bones (its bare half-widths) a trouser leg's pixels may lie and still go with it.
TROUSER_REACH = SKIRT_WIDTH


def legs_take_trousers(pts: np.ndarray, label: np.ndarray, joints: Joints, limbs: list[str],
                       bare: dict[str, float], top: np.ndarray) -> None:
    """Below the crotch, a trouser leg is the leg's: body pixels there nearest to one leg's bones join
    that leg. Left on the torso, a wide trouser leg's edges stay as strips where the leg was when the
    legs part (benchmarks/character_survey.py ``holes``, benchmarks/matrix.py ghosts)."""
    legs = [(i, limb) for i, limb in enumerate(limbs) if limb.endswith("leg")]
    torso = (label == 0) & ((pts - top) @ body_down(joints) > 0)
    if not torso.any():
        return
    tp = pts[torso]
    dists = []
    for _, limb in legs:
        side = limb.split("_")[0]
        hip, knee, ankle = (joints[f"{side}_{j}"] for j in ("hip", "knee", "ankle"))
        d = np.minimum(segment_distance(tp, hip, knee), segment_distance(tp, knee, ankle))
        dists.append(d / (TROUSER_REACH * bare[limb]))
    near = np.stack(dists)
    which = near.argmin(axis=0)
    take = near.min(axis=0) < 1.0
    sub = label[torso]
    sub[take] = np.array([i + 1 for i, _ in legs])[which[take]]
    label[torso] = sub
