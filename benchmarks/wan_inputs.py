"""Contact sheet of wan-animate's inputs for a pair: driver frames beside the face crops and the pose
video (orientation video: the driver's pose fitted to the generation size; image: retargeted onto the
character, drawn over a dimmed copy of the image). No GPU or weights needed.

    PYTHONPATH=src .venv/bin/python benchmarks/wan_inputs.py ../shared/testdata/pairs/upperbody_elf \
        docs/wan_animate/inputs_elf.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from motionctl.core.types import GenerationSpec, Orientation
from motionctl.engine.wan_animate.inputs import condition, perceive
from motionctl.engine.wan_animate.sizing import fit_padded, generation_size, resample_indices
from motionctl.media.decode import iter_frames, load_image, output_fps
from motionctl.media.validate import validate_video

TILE_H = 180


def tile(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (max(1, round(w * TILE_H / h)), TILE_H), interpolation=cv2.INTER_AREA)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pair", type=Path, help="folder with image.* and video.mp4")
    ap.add_argument("output", type=Path)
    ap.add_argument("--rows", type=int, default=4)
    args = ap.parse_args()
    image_path = next(p for p in args.pair.iterdir() if p.stem == "image")
    image = load_image(image_path, field="image")
    gen = generation_size(image.width, image.height)
    conds = {}
    for orientation in (Orientation.VIDEO, Orientation.IMAGE):
        spec = GenerationSpec(image=image_path, video=args.pair / "video.mp4", orientation=orientation)
        video = validate_video(spec.video, orientation, field="video")
        fps = output_fps(video)
        seen = perceive(spec, video, fps, (image.width, image.height))
        conds[orientation] = condition(spec, seen, video, fps, image, gen)
        grid = [seen.frames[i].index for i in resample_indices(len(seen.frames), fps)]
    n = len(conds[Orientation.VIDEO].faces)
    picks = np.linspace(0, n - 1, args.rows).round().astype(int)
    wanted = {grid[k]: k for k in picks}
    driver = {wanted[f.index]: f.rgb for f in iter_frames(args.pair / "video.mp4", max_fps=fps, max_side=1280)
              if f.index in wanted}
    backdrop = (fit_padded(image.rgb, *gen) * 0.35).astype(np.uint8)
    rows = []
    for k in picks:
        retargeted = conds[Orientation.IMAGE].pose_frames(k, k + 1)[0]
        over = np.where(retargeted.any(axis=2, keepdims=True), retargeted, backdrop)
        cells = [driver[k], conds[Orientation.VIDEO].faces[k], conds[Orientation.VIDEO].pose_frames(k, k + 1)[0], over]
        rows.append(np.hstack([np.pad(tile(c), ((4, 4), (4, 4), (0, 0))) for c in cells]))
    width = max(r.shape[1] for r in rows)
    sheet = np.vstack([np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0))) for r in rows])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.output), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    print(f"{args.output}: {len(picks)} rows of driver | face crop | pose (video) | pose (image, on the character)")


if __name__ == "__main__":
    main()
