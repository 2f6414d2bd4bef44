"""The viewer measures (eval/viewer.py) as a Rich table for `motionctl eval`."""

from __future__ import annotations

from rich.table import Table

from motionctl.eval.viewer import ViewerReport


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _num(value: float | None, fmt: str = "{:.2f}") -> str:
    return "—" if value is None else fmt.format(value)


def viewer_table(v: ViewerReport) -> Table:
    t = Table(title=f"What a viewer sees (the image's joints: {v.image_pose})")
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_column("reading")
    la = v.limb_appearance
    weakest = min(((b, s) for b, s in la.per_bone.items() if s is not None), key=lambda x: x[1], default=None)
    t.add_row("limb appearance", _pct(la.share),
              f"{la.bone_frames} bone-frames whose colours match the image's limb"
              + (f"; weakest {weakest[0]} {_pct(weakest[1])}" if weakest else ""))
    b = v.broken
    t.add_row("broken frames", f"{b.broken} of {b.frames}",
              f"flipped {b.flipped}, torso holes {b.torso_holes}, detached pieces {b.detached}"
              + (f"; first at {b.first_broken_s:.2f} s" if b.first_broken_s is not None else ""))
    g = v.ghosts
    t.add_row("ghost outlines", f"{g.ghost_frames} of {g.frames}",
              f"frames where the image's limb outlines still show; strength mean {_num(g.mean_strength)}, "
              f"max {_num(g.max_strength)}")
    f = v.framing
    if f is not None:
        t.add_row("framing: edge cuts", f"{f.cut_frames} of {f.frames}",
                  f"sides cut that the image does not cut: {', '.join(f.cut_sides) or 'none'}")
        t.add_row("framing: scale", f"{f.mis_scaled_frames} of {f.frames}",
                  f"figure/image {_num(f.scale_min)}-{_num(f.scale_max)}; driver/its start "
                  f"{_num(f.driver_scale_min)}-{_num(f.driver_scale_max)}")
    return t
