"""The spread of the fidelity figures over near-identical renders: how far one reading is from the rest.

    .venv/bin/python benchmarks/spread.py --pair upperbody_elf --orientation image --mode pro \
        [--shifts 0,1,-1] [--rescans 4] [--set hand_orientation=False] [--out bench-results/spread]

One reading of "moving limbs within 20°" moves a few points between re-detections of one output, and more
between outputs made from the image moved a pixel or two: BlazePose carries each frame's reading into the
next frame's search region, its errors come in bursts of several frames, and the image's own analysis (pose,
segmentation) moves with its pixels too. Each render here is made from the character image moved ``shift``
px sideways (edges repeated; 0 is the file itself), then re-detected ``rescans`` more times with its frames
shifted (``motionctl eval --rescans``). Prints each render's first reading and the mean (range) of its
readings, then the mean over all readings, the figure to compare settings by. ``--set FIELD=VALUE`` changes
an ``EngineConfig`` field of the mode (repeatable; VALUE is a Python literal) to measure a setting against
the mode's own.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import sys
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from motionctl.core.types import GenerationSpec, Mode, Orientation, Resolution
from motionctl.engine.config import EngineConfig
from motionctl.engine.image_perception import shifted
from motionctl.engine.pipeline import generate
from motionctl.eval.runner import SETTLE_FRAMES, measure
from motionctl.media.decode import load_image

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "testdata"


def shifted_image(image: Path, dx: int, folder: Path) -> Path:
    """``image`` moved ``dx`` px right (its edge column repeated into the gap; its alpha, if any, moved
    with it), as a PNG in ``folder``; the file itself when ``dx`` is 0."""
    if dx == 0:
        return image
    loaded = load_image(image, field="image")
    moved = shifted(loaded.rgb, dx)
    if loaded.alpha is not None:
        moved = np.dstack([moved, shifted(loaded.alpha, dx)])
    path = folder / f"{image.stem}_shift{dx:+d}.png"
    Image.fromarray(moved).save(path)
    return path


def config_with(mode: Mode, settings: list[str]) -> EngineConfig:
    """The mode's EngineConfig with each ``FIELD=VALUE`` applied; an unknown field or a value that is
    not a Python literal is refused, naming it."""
    names = {f.name for f in dataclasses.fields(EngineConfig)}
    changes: dict[str, Any] = {}
    for item in settings:
        field, sep, raw = item.partition("=")
        if not sep or field not in names:
            raise SystemExit(f"--set {item!r}: FIELD must be one of EngineConfig's: {', '.join(sorted(names))}")
        try:
            changes[field] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            raise SystemExit(f"--set {item!r}: VALUE must be a Python literal (True, 2, 'veryfast')") from None
    return dataclasses.replace(EngineConfig.for_mode(mode), **changes)


@dataclasses.dataclass
class RenderReadings:
    shift: int
    shares: list[float]  # moving limbs within 20°, the first reading first
    medians: list[float]  # their median errors (degrees)


def summary(renders: list[RenderReadings]) -> list[str]:
    """Lines: each render's first reading, mean (range) and mean median; then all readings together."""
    lines = []
    for r in renders:
        lines.append(
            f"render shift {r.shift:+d}: first {100 * r.shares[0]:.1f}% / {r.medians[0]:.1f}°, "
            f"mean of {len(r.shares)} {100 * np.mean(r.shares):.1f}% "
            f"({100 * min(r.shares):.1f}-{100 * max(r.shares):.1f}), median {np.mean(r.medians):.1f}°"
        )
    shares = [s for r in renders for s in r.shares]
    medians = [m for r in renders for m in r.medians]
    per_render = [float(np.mean(r.shares)) for r in renders]
    lines.append(
        f"all {len(shares)} readings of {len(renders)} renders: {100 * np.mean(shares):.1f}% "
        f"({100 * min(shares):.1f}-{100 * max(shares):.1f}; render means "
        f"{100 * min(per_render):.1f}-{100 * max(per_render):.1f}), median {np.mean(medians):.1f}° "
        f"(at most {max(medians):.1f}°)"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pair", default="upperbody_elf", help="a folder of ../shared/testdata/pairs")
    p.add_argument("--orientation", choices=[o.value for o in Orientation], default="image")
    p.add_argument("--mode", choices=[m.value for m in Mode], default="pro")
    p.add_argument("--shifts", default="0,1,-1", help="comma-separated px the image is moved by, one render each")
    p.add_argument("--rescans", type=int, default=4)
    p.add_argument("--resolution", choices=[r.value for r in Resolution], default=None,
                   help="the output's (default: the mode's own, 720p for std, 1080p for pro)")
    p.add_argument("--set", dest="settings", action="append", default=[], metavar="FIELD=VALUE")
    p.add_argument("--settle", default=str(SETTLE_FRAMES),
                   help="comma-separated frames the eval's trackers settle on first (0: cold), each scored apart")
    p.add_argument("--shared", type=Path, default=SHARED)
    p.add_argument("--out", type=Path, default=ROOT / "bench-results" / "spread")
    a = p.parse_args(argv)
    mode = Mode(a.mode)
    config = config_with(mode, a.settings)
    pair = a.shared / "pairs" / a.pair
    image, video = next(pair.glob("image.*")), pair / "video.mp4"
    a.out.mkdir(parents=True, exist_ok=True)
    resolution = Resolution(a.resolution or ("1080p" if mode == Mode.PRO else "720p"))
    settles = [int(s) for s in a.settle.split(",")]
    labels = {n: f" (settle {n})" if len(settles) > 1 else "" for n in settles}
    renders: dict[int, list[RenderReadings]] = {n: [] for n in settles}
    for dx in (int(s) for s in a.shifts.split(",")):
        source = shifted_image(image, dx, a.out)
        out = a.out / f"{a.pair}_{a.orientation}_{a.mode}_shift{dx:+d}.mp4"
        spec = GenerationSpec(
            image=source, video=video, orientation=Orientation(a.orientation), mode=mode, resolution=resolution
        )
        generate(spec, out, config=config)
        for settle in settles:
            report = measure(source, video, out, orientation=a.orientation, mode=a.mode, rescans=a.rescans,
                             settle=settle).report
            scans = report.repeatability.scans if report.repeatability else []
            first = report.fidelity.moving
            shares = [first.within_20 or 0.0] + [s.moving_within_20 or 0.0 for s in scans[1:]]
            medians = [first.median_deg or 0.0] + [s.moving_median_deg or 0.0 for s in scans[1:]]
            renders[settle].append(RenderReadings(dx, shares, medians))
            print(summary(renders[settle][-1:])[0] + labels[settle], flush=True)
    for settle in settles:
        print(summary(renders[settle])[-1] + labels[settle])
    return 0


if __name__ == "__main__":
    sys.exit(main())
