"""Does the character's face turn with the driver's when an element is bound? Prints, for one
character and one driver (orientation video), how often the output's head yaw — re-detected with the
face mesh — is within 10° of the driver's, without and with the element, and writes contact sheets
(driver | without | with, the heads enlarged) for looking at the face's outline.

    PYTHONPATH=src .venv/bin/python benchmarks/element_yaw.py \\
        --image ../shared/testdata/characters/real_woman_fullbody.jpg \\
        --driver ../shared/testdata/drivers/turn_fullbody_fashion_backview_30fps.mp4 \\
        --face-video ../shared/testdata/faces/driving_d3.mp4 --sheets docs/elements

A face video below the documented 720 px is scaled up to 720 px (and cut to 8 s) in a temporary
folder with the media layer first; the bank's views are printed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from motionctl.core.types import GenerationSpec, Mode, Orientation
from motionctl.engine.elements import load_bank, save_bank
from motionctl.engine.elements.build import build_bank
from motionctl.engine.perception.face import head_crop
from motionctl.engine.pipeline import generate
from motionctl.eval.head_turn import following, yaw_track
from motionctl.media.decode import iter_frames
from motionctl.media.encode import VideoEncoder
from motionctl.media.probe import probe_video
from motionctl.media.validate import validate_element_video


def face_video_at(src: Path, folder: Path, side: int = 720, seconds: float = 8.0, start: float = 0.0) -> Path:
    """``src`` scaled so its shorter side is at least ``side`` and cut to ``seconds`` from ``start``."""
    info = probe_video(src)
    k = max(1.0, side / min(info.width, info.height))
    w, h = int(round(info.width * k / 2)) * 2, int(round(info.height * k / 2)) * 2
    out = folder / f"{src.stem}_{side}.mp4"
    with VideoEncoder(out, w, h, info.fps, crf=18) as enc:
        for f in iter_frames(src, max_fps=info.fps, start=start, end=start + seconds - 0.5 / info.fps):
            enc.write(cv2.resize(f.rgb, (w, h), interpolation=cv2.INTER_CUBIC))
    return out


def sheet(driver: Path, outputs: list[Path], picks: list[int], path: Path, cell: int = 200) -> None:
    """Rows of picked frames: the driver's head, then each output's head, enlarged to ``cell`` px."""
    from motionctl.engine.perception import PoseEstimator

    videos = [driver, *outputs]
    frames: list[dict[int, np.ndarray]] = []
    for v in videos:
        frames.append({f.index: f.rgb for f in iter_frames(v, max_fps=30.0, max_side=1280) if f.index in picks})
    rows = []
    with PoseEstimator(tracking=False, max_side=640) as poses:
        for i in picks:
            row = []
            for k in range(len(videos)):
                rgb = frames[k].get(i)
                seen = poses.estimate(rgb) if rgb is not None else None
                crop = head_crop(rgb, seen.pose.points) if seen and rgb is not None else None
                tile = np.zeros((cell, cell, 3), np.uint8) if crop is None else cv2.resize(crop, (cell, cell),
                                                                                        interpolation=cv2.INTER_CUBIC)
                cv2.putText(tile, f"{i}", (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 0, 0), 1, cv2.LINE_AA)
                row.append(tile)
            rows.append(np.hstack(row))
    cv2.imwrite(str(path), cv2.cvtColor(np.vstack(rows), cv2.COLOR_RGB2BGR))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, required=True)
    parser.add_argument("--driver", type=Path, required=True)
    parser.add_argument("--element", type=Path, help="a face bank file (else --face-video)")
    parser.add_argument("--face-video", type=Path)
    parser.add_argument("--face-start", type=float, default=0.0, help="seconds into the face video")
    parser.add_argument("--mode", default="pro")
    parser.add_argument("--turned", type=float, default=25.0, help="a driver frame this far from frontal is 'turned'")
    parser.add_argument("--sheets", type=Path, help="folder for the contact sheets")
    parser.add_argument("--keep", type=Path, help="folder to keep the renders in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = args.keep or Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        bank_path = args.element
        if bank_path is None:
            video = face_video_at(args.face_video, Path(tmp_name), start=args.face_start)
            bank_path = save_bank(build_bank(validate_element_video(video), args.face_video.stem), tmp / "face.bank")
        bank = load_bank(bank_path)
        print("bank views (bin yaw/pitch: measured yaw, pitch):",
              ", ".join(f"{v.bin[0]:+d}/{v.bin[1]:+d}: {v.yaw:+.1f}, {v.pitch:+.1f}" for v in bank.views))
        outputs = {}
        for name, element in (("without", None), ("with", bank_path)):
            out = tmp / f"{name}.mp4"
            spec = GenerationSpec(args.image, args.driver, Orientation.VIDEO, Mode(args.mode), element=element)
            t = time.perf_counter()
            result = generate(spec, out)
            print(f"render {name:7s}: {result.frames} frames, {time.perf_counter() - t:.1f} s, "
                  f"{result.realtime_factor:.2f}x real time")
            outputs[name] = out
        driver = yaw_track(args.driver)
        yaws = np.array(list(driver.values()))
        print(f"driver: yaw read on {len(driver)} frames, {yaws.min():+.1f}..{yaws.max():+.1f}°")
        turned = {i for i, y in driver.items() if abs(y) >= args.turned}
        print(f"{'output':8s} {'frames':>7s} {'within 10°':>11s} {'median':>7s} | turned frames "
              f"(driver |yaw| >= {args.turned:g}°)")
        for name, out in outputs.items():
            track = yaw_track(out)
            all_ = following(driver, track)
            far = following(driver, track, frames=turned)
            print(f"{name:8s} {all_.frames:7d} {all_.share:10.1%} {all_.median_error:6.1f}° | "
                  f"{far.frames:7d} frames {far.share:10.1%} {far.median_error:6.1f}°")
        if args.sheets is not None:
            args.sheets.mkdir(parents=True, exist_ok=True)
            order = sorted(driver, key=lambda i: driver[i])
            picks = sorted({order[int(q * (len(order) - 1))] for q in np.linspace(0, 1, 8)})
            sheet(args.driver, [outputs["without"], outputs["with"]], picks, args.sheets / "turn_heads.png")
            print("contact sheet:", args.sheets / "turn_heads.png", "frames", picks)


if __name__ == "__main__":
    main()
