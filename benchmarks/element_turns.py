"""How far does the drawn face read as turned? Without rendering a video: the element's face is drawn
on the character image at a range of yaws (head bone as in the image, driver's usual pitch), and
each picture is read back as benchmarks/element_yaw.py reads outputs (pose -> head crop -> face mesh
-> yaw). Prints, per target yaw, the yaw read, the error and the bank views drawn; optionally a strip
of the heads (the image's own first).

    PYTHONPATH=src .venv/bin/python benchmarks/element_turns.py \\
        --image ../shared/testdata/characters/real_woman_fullbody.jpg \\
        --face-video ../shared/testdata/faces/driving_d3.mp4 --face-start 3.8 --strip turns.png
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import cv2
import numpy as np
from element_yaw import face_video_at

from motionctl.engine.config import EngineConfig
from motionctl.engine.elements import ElementFace, load_bank
from motionctl.engine.elements.build import build_bank
from motionctl.engine.image_perception import perceive_image
from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator
from motionctl.engine.perception.face import head_crop
from motionctl.engine.perception.head_pose import head_pose
from motionctl.engine.process_messages import ImageJob
from motionctl.engine.puppet.character import Character
from motionctl.media.decode import load_image
from motionctl.media.encode import output_size
from motionctl.media.validate import validate_element_video

IDENTITY = np.array([[1, 0, 0], [0, 1, 0]], np.float32)


def character_face(image: Path, resolution: str = "1080p") -> Character:
    """The image at the output's size (pro's by default) with its face mesh, as the pipeline finds it: all of a
    character an element's face needs."""
    seen = perceive_image(ImageJob(image, EngineConfig().image_pose_side, None, True))
    if seen.face is None:
        raise SystemExit(f"{image}: no face found")
    rgb = load_image(image).rgb
    h, w = rgb.shape[:2]
    cw, ch = output_size(w, h, resolution)
    return cast(Character, SimpleNamespace(image=cv2.resize(rgb, (cw, ch), interpolation=cv2.INTER_AREA),
                                           face=seen.face[:, :2] * np.array([cw / w, ch / h], np.float32),
                                           face_z=seen.face[:, 2] * np.float32(cw / w)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, required=True)
    parser.add_argument("--element", type=Path, help="a face bank file (else --face-video)")
    parser.add_argument("--face-video", type=Path)
    parser.add_argument("--face-start", type=float, default=0.0)
    parser.add_argument("--targets", default="-55,-45,-35,-25,-10,10,25,35,45,55", help="yaws, degrees")
    parser.add_argument("--strip", type=Path, help="write the heads read, side by side, here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        bank_path = args.element
        if bank_path is None:
            video = face_video_at(args.face_video, Path(tmp_name), start=args.face_start)
            bank = build_bank(validate_element_video(video), args.face_video.stem)
        else:
            bank = load_bank(bank_path)
    character = character_face(args.image)
    element = ElementFace(bank, character)
    errors, tiles = [], []
    with PoseEstimator(tracking=False, max_side=384) as poses, FaceMeshEstimator(tracking=False, max_side=512) as mesh:

        def read(rgb: np.ndarray) -> tuple[float, np.ndarray | None]:
            seen = poses.estimate(rgb)
            crop = head_crop(rgb, seen.pose.points) if seen is not None and seen.pose is not None else None
            found = mesh.estimate(crop) if crop is not None else None
            return (head_pose(found).yaw if found is not None else float("nan")), crop

        own, own_crop = read(character.image)
        print(f"image's own yaw {element.pose.yaw:+.1f} (read back {own:+.1f})")
        if own_crop is not None:
            tiles.append(cv2.resize(own_crop, (240, 240), interpolation=cv2.INTER_AREA))
        print(f"{'target':>7s} {'read':>7s} {'error':>7s}  views drawn (bin: weight)")
        for target in (float(t) for t in args.targets.split(",")):
            out = character.image.copy()
            element.apply(out, IDENTITY, np.array([target, element.driver_pitch], np.float32))
            yaw, crop = read(out)
            errors.append(yaw - target)
            picks = element.nearest(target, element.bank_pitch)
            views = ", ".join(f"{element.views[k].bin[0]:+d}/{element.views[k].bin[1]:+d}: {w:.2f}" for k, w in picks)
            print(f"{target:+7.0f} {yaw:+7.1f} {yaw - target:+7.1f}  {views}")
            if crop is not None:
                tiles.append(cv2.resize(crop, (240, 240), interpolation=cv2.INTER_AREA))
    err = np.abs(np.array(errors))
    print(f"within 10°: {int((err <= 10).sum())} of {len(err)}; mean |error| {np.nanmean(err):.1f}°")
    if args.strip is not None and tiles:
        cv2.imwrite(str(args.strip), cv2.cvtColor(np.hstack(tiles), cv2.COLOR_RGB2BGR))


if __name__ == "__main__":
    main()
