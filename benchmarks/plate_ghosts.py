"""Ghosts in the background plate over the broad set of characters, and the plate's cost.

    .venv/bin/python benchmarks/plate_ghosts.py [--compare OLD_background.py] [--sheet DIR] [IMAGE ...]

Each character (default: ../shared/testdata/characters and the two pairs' images) is read as the engine
reads it (the image-analysis views' segmentation, or colour keying where no person is found), at 720p,
and its plate made by puppet/background.py (and by the ``background_plate`` of ``--compare``, e.g.
``git show main:src/motionctl/engine/puppet/background.py > /tmp/old.py``). Per character:

- ``ring dE``: mean Lab distance from the plate's pixels just outside the silhouette (out to 3% of
  the diagonal) to the nearest of the character's colours (k-means of its pixels); higher is fewer
  ghosts of the character's outline;
- ``ghost%``: share of those pixels within 10 Lab units of a character colour, less the same share in
  the background farther out (how often the background has the character's colours anyway);
- ``edge``: the plate's gradient along the silhouette's outline over the background's gradient
  farther out (an outline left on the plate: > 1);
- ``tex``: the plate's fine texture (Laplacian deviation) inside the old silhouette over the background's
  (a blurred blob: near 0);
- ``ms``: the plate's wall time (time.perf_counter, in process).
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from motionctl.engine.image_perception import perceive_image
from motionctl.engine.process_messages import ImageJob
from motionctl.engine.puppet.background import background_plate
from motionctl.engine.puppet.matte import character_matte, color_key_matte
from motionctl.media.decode import load_image
from motionctl.media.encode import output_size

DATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"
Plate = Callable[[np.ndarray, np.ndarray], np.ndarray]


def characters() -> list[Path]:
    found = sorted(p for p in (DATA / "characters").glob("*.*"))
    found += [DATA / "characters" / "drawn_char1" / "texture.png", DATA / "pairs" / "fullbody_cartoon" / "image.png",
              DATA / "pairs" / "upperbody_elf" / "image.jpeg"]
    return [p for p in found if p.exists()]


def read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The canvas-sized (720p) image and matte, as the engine makes them."""
    seen = perceive_image(ImageJob(path, 1024, None, False))
    loaded = load_image(path, field="image")
    canvas = output_size(loaded.width, loaded.height, "720p")
    if loaded.alpha is None and seen.mask is None and seen.pose is None:
        matte = color_key_matte(loaded.rgb)  # a drawing no detector reads, and no joints given here
    else:
        matte = character_matte(loaded.rgb, loaded.alpha, seen.mask, seen.pose)
    image = cv2.resize(loaded.rgb, canvas, interpolation=cv2.INTER_AREA)
    return image, np.clip(cv2.resize(matte, canvas, interpolation=cv2.INTER_LINEAR), 0, 1)


def figures(image: np.ndarray, matte: np.ndarray, plate: np.ndarray) -> dict[str, float]:
    h, w = matte.shape
    diag = float(np.hypot(h, w))
    fg = (matte > 0.5).astype(np.uint8)
    outside = cv2.distanceTransform(1 - fg, cv2.DIST_L2, 5)
    ring = (outside > 0) & (outside <= 0.03 * diag)
    far = (outside > 0.1 * diag) & (outside <= 0.2 * diag)
    if not far.any():
        far = outside > 0.03 * diag
    if not ring.any() or not far.any():  # the matte covers the picture: no background to measure
        return dict.fromkeys(("ring dE", "ghost%", "edge", "tex"), float("nan"))
    lab_img = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab_plate = cv2.cvtColor(plate, cv2.COLOR_RGB2LAB).astype(np.float32)
    samples = np.ascontiguousarray(lab_img[fg > 0][:: max(1, int(fg.sum()) // 6000)])
    cv2.setRNGSeed(0)
    _, _, centres = cv2.kmeans(samples, 12, None, (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5),
                               1, cv2.KMEANS_PP_CENTERS)

    def nearest(px: np.ndarray) -> np.ndarray:
        return np.sqrt(((px[:, None] - centres[None]) ** 2).sum(-1)).min(axis=1)

    d_ring, d_far = nearest(lab_plate[ring]), nearest(lab_img[far])
    grey_p = cv2.cvtColor(plate, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey_i = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grad_p = cv2.magnitude(cv2.Sobel(grey_p, cv2.CV_32F, 1, 0), cv2.Sobel(grey_p, cv2.CV_32F, 0, 1))
    grad_i = cv2.magnitude(cv2.Sobel(grey_i, cv2.CV_32F, 1, 0), cv2.Sobel(grey_i, cv2.CV_32F, 0, 1))
    outline = (outside > 0) & (outside <= 3)
    inner = cv2.distanceTransform(fg, cv2.DIST_L2, 5) > 4
    lap_p, lap_i = cv2.Laplacian(grey_p, cv2.CV_32F), cv2.Laplacian(grey_i, cv2.CV_32F)
    return {
        "ring dE": float(d_ring.mean()),
        "ghost%": 100 * (float((d_ring < 10).mean()) - float((d_far < 10).mean())),
        "edge": float(grad_p[outline].mean() / max(grad_i[far].mean(), 1e-3)),
        "tex": float(lap_p[inner].std() / max(lap_i[far].std(), 1e-3)) if inner.any() else 1.0,
    }


def load_plate(path: Path) -> Plate:
    spec = importlib.util.spec_from_file_location("compared_background", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.background_plate  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("images", nargs="*", type=Path)
    parser.add_argument("--compare", type=Path, help="a background.py whose background_plate is measured too")
    parser.add_argument("--sheet", type=Path, help="write image | compared plate | plate pictures here")
    args = parser.parse_args()
    plates: dict[str, Plate] = {"now": background_plate}
    if args.compare:
        plates = {"compared": load_plate(args.compare), **plates}
    keys = ("ring dE", "ghost%", "edge", "tex", "ms")
    print(f"{'character':48s} {'plate':9s} " + " ".join(f"{k:>8s}" for k in keys))
    totals: dict[str, list[dict[str, float]]] = {name: [] for name in plates}
    for path in args.images or characters():
        image, matte = read(path)
        shown = [image]
        for name, plate_of in plates.items():
            t = time.perf_counter()
            plate = plate_of(image, matte)
            row = {**figures(image, matte, plate), "ms": 1000 * (time.perf_counter() - t)}
            totals[name].append(row)
            shown.append(plate)
            print(f"{path.stem[:48]:48s} {name:9s} " + " ".join(f"{row[k]:8.2f}" for k in keys), flush=True)
        if args.sheet:
            args.sheet.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(args.sheet / f"{path.stem}.jpg"), cv2.cvtColor(np.hstack(shown), cv2.COLOR_RGB2BGR))
    for name, rows in totals.items():
        med = {k: float(np.nanmedian([r[k] for r in rows])) for k in keys}  # nan: no background left
        print(f"{'median':48s} {name:9s} " + " ".join(f"{med[k]:8.2f}" for k in keys))


if __name__ == "__main__":
    main()
