"""Pictures a person reads: a contact sheet per case and a plot of where the time goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from motionctl.core.types import BONES, JOINT
from motionctl.eval.stability import body_scale
from motionctl.eval.tracks import PoseTrack, match_by_time
from motionctl.media.decode import iter_frames

CELL_H = 260
EDGES = [(JOINT[p], JOINT[c]) for _, p, c in BONES] + [
    (JOINT["left_shoulder"], JOINT["left_hip"]), (JOINT["right_shoulder"], JOINT["right_hip"]),
    (JOINT["nose"], JOINT["left_shoulder"]), (JOINT["nose"], JOINT["right_shoulder"]),
]  # fmt: skip
DRIVER_COLOUR = (255, 60, 200)
OUTPUT_COLOUR = (60, 255, 90)


def frames_at(path: Path, times: list[float], max_side: int) -> list[np.ndarray]:
    """The frames nearest to each of ``times`` (one streamed pass)."""
    best: list[tuple[float, np.ndarray | None]] = [(1e9, None) for _ in times]
    for frame in iter_frames(path, max_side=max_side):
        for i, t in enumerate(times):
            if abs(frame.time - t) < best[i][0]:
                best[i] = (abs(frame.time - t), frame.rgb)
    return [f if f is not None else np.zeros((max_side, max_side, 3), np.uint8) for _, f in best]


def _anchor(points: np.ndarray, vis: np.ndarray) -> np.ndarray | None:
    """Mid-shoulder, or the mean of the visible joints."""
    ls, rs = JOINT["left_shoulder"], JOINT["right_shoulder"]
    if vis[ls] >= 0.5 and vis[rs] >= 0.5:
        return (points[ls] + points[rs]) / 2
    ok = vis >= 0.5
    return points[ok].mean(axis=0) if ok.any() else None


def _draw_skeleton(
    img: Image.Image, points: np.ndarray, vis: np.ndarray, colour: tuple[int, int, int], width: int
) -> None:
    draw = ImageDraw.Draw(img)
    for a, b in EDGES:
        if vis[a] >= 0.5 and vis[b] >= 0.5 and np.isfinite(points[[a, b]]).all():
            draw.line([tuple(points[a]), tuple(points[b])], fill=colour, width=width)
    for j in range(33):
        if vis[j] >= 0.5 and np.isfinite(points[j]).all():
            x, y = points[j]
            draw.ellipse([x - width, y - width, x + width, y + width], fill=colour)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans from matplotlib's own data (always installed with the benchmarks' dependencies)."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return ImageFont.truetype(str(path), size) if path.is_file() else ImageFont.load_default()


def _cell(rgb: np.ndarray, cell_h: int) -> tuple[Image.Image, float]:
    s = cell_h / rgb.shape[0]
    small = cv2.resize(rgb, (max(1, round(rgb.shape[1] * s)), cell_h), interpolation=cv2.INTER_AREA)
    return Image.fromarray(small), s


def contact_sheet(
    driver_path: Path, output_path: Path, driver: PoseTrack, output: PoseTrack, title: str, dest: Path, rows: int = 5,
    times: list[float] | None = None,
) -> Path:
    """Rows of (driver | output | both skeletons over the dimmed output) at evenly spaced times, or at
    ``times`` (seconds of the output) where given.

    Magenta: the driver's pose moved and scaled onto the character (mid-shoulders, body size);
    green: the pose re-detected in the output. Where they agree, the motion transferred.
    """
    t0, t1 = float(output.times[0]), float(output.times[-1])
    if times is None:
        times = [t0 + (t1 - t0) * (i + 0.5) / rows for i in range(rows)]
    rows = len(times)
    drv_frames = frames_at(driver_path, times, max(driver.size))
    out_frames = frames_at(output_path, times, max(output.size))
    di = match_by_time(np.array(times), driver.times, tolerance=1.0)
    oi = match_by_time(np.array(times), output.times, tolerance=1.0)
    ratio = (body_scale(output.points, output.visibility) or 1.0) / (
        body_scale(driver.points, driver.visibility) or 1.0
    )
    font = _font(14)
    # Portrait clips get taller rows, so a column is never narrower than its picture is readable.
    cell_h = CELL_H if output.size[0] >= output.size[1] else round(CELL_H * 1.6)
    cells: list[list[Image.Image]] = []
    for r in range(rows):
        d_img, ds = _cell(drv_frames[r], cell_h)
        o_img, os_ = _cell(out_frames[r], cell_h)
        both = Image.fromarray((np.asarray(o_img) * 0.45).astype(np.uint8))
        dp, dv = driver.points[di[r]], driver.visibility[di[r]]
        op, ov = output.points[oi[r]], output.visibility[oi[r]]
        _draw_skeleton(d_img, dp * ds, dv, DRIVER_COLOUR, 2)
        da, oa = _anchor(dp, dv), _anchor(op, ov)
        if da is not None:
            target = oa if oa is not None else np.array(output.size) / 2
            moved = (dp - da) * ratio + target
            _draw_skeleton(both, moved * os_, dv, DRIVER_COLOUR, 3)
        _draw_skeleton(both, op * os_, ov, OUTPUT_COLOUR, 2)
        ImageDraw.Draw(d_img).text((6, 6), f"t={times[r]:.2f}s", fill=(255, 255, 255), font=font)
        cells.append([d_img, o_img, both])
    widths = [max(row[c].width for row in cells) for c in range(3)]
    header = 52
    width = max(sum(widths) + 8 * 4, 960)  # wide enough for the title line
    sheet = Image.new("RGB", (width, header + rows * (cell_h + 8) + 8), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    draw.text(
        (8, 6),
        f"{title}   (overlay: magenta = driver's pose placed on the character, green = pose re-detected in the output)",
        fill=(240, 240, 240),
        font=font,
    )
    x = 8
    for c, name in enumerate(("driver", "output", "overlay")):
        draw.text((x, 30), name, fill=(200, 200, 200), font=font)
        x += widths[c] + 8
    for r, row in enumerate(cells):
        x = 8
        for c, im in enumerate(row):
            sheet.paste(im, (x, header + r * (cell_h + 8)))
            x += widths[c] + 8
    dest.parent.mkdir(parents=True, exist_ok=True)
    # A 256-colour palette (dithered) keeps each committed sheet under ~1 MB, half the size of RGB.
    sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG).save(
        dest, optimize=True
    )
    return dest


def time_plot(cases: list[dict[str, Any]], dest: Path) -> Path:
    """Stacked horizontal bars of stage seconds: the engine and its floor for each case."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels: list[str] = []
    stacks: list[dict[str, float]] = []
    walls: list[float] = []
    for case in cases:
        labels += [f"{case['name']} engine", f"{case['name']} floor"]
        stacks += [case["engine"]["stage_seconds"], case["floor"]["stage_seconds"]]
        walls += [case["engine"]["wall_seconds"], case["floor"]["wall_seconds"]]
    stages: list[str] = []
    for s in stacks:
        stages += [k for k in s if k not in stages]
    cmap = plt.get_cmap("tab20")
    fig, ax = plt.subplots(figsize=(11, 0.9 * len(labels) + 1.8))
    y = np.arange(len(labels))[::-1]
    left = np.zeros(len(labels))
    for k, stage in enumerate(stages):
        widths = np.array([s.get(stage, 0.0) for s in stacks])
        ax.barh(y, widths, left=left, color=cmap(k % 20), label=stage, height=0.6)
        left += widths
    ax.scatter(walls, y, marker="D", color="black", zorder=3, label="wall time")
    ax.set_yticks(y, labels)
    ax.set_xlabel("seconds (stage times of threads overlap, so a stack can exceed the wall time)")
    ax.set_title("Where the time goes: engine stages vs the floor (decode + pose + encode)")
    ax.legend(loc="lower right", fontsize=8, ncol=2)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(dest, dpi=110)
    plt.close(fig)
    return dest
