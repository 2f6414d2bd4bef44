"""A face bank: a person's face seen from several head poses, one view per yaw/pitch bin.

What an element is (issue 24, seeds 001-004): the views are the sharpest near-neutral frame of a face
video in each 15° bin of head yaw and pitch, each kept as a small crop with its 478 face-mesh points.

The file is a zip (written to a temporary name and renamed, so never half-written):

    bank.json            {"format": 1, "name", "description", "bin_degrees", "source": {...},
                          "views": [{"file", "yaw", "pitch", "roll", "bin": [yaw, pitch],
                                     "sharpness", "time", "mouth_open", "eye_open"}, ...]}
    views/Y+15_P+00.png  the crop (RGB PNG)
    landmarks.npy        float32 (views, 478, 3): each view's face mesh in its crop's pixels (x, y, z)
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

from motionctl.core.errors import InvalidInput, rule_violation

FORMAT = 1
BIN_DEGREES = 15.0
MESH_POINTS = 478


@dataclass
class FaceView:
    """One bank view: an RGB crop, its face mesh in crop pixels and the head pose it shows."""

    crop: np.ndarray  # uint8 (h, w, 3)
    landmarks: np.ndarray  # float32 (478, 3)
    yaw: float
    pitch: float
    roll: float
    sharpness: float
    time: float  # seconds into the source video
    mouth_open: float
    eye_open: float

    @property
    def bin(self) -> tuple[int, int]:
        return pose_bin(self.yaw, self.pitch)

    @property
    def file(self) -> str:
        y, p = self.bin
        return f"views/Y{y:+04d}_P{p:+04d}.png"


@dataclass
class FaceBank:
    name: str
    description: str
    views: list[FaceView]
    bin_degrees: float = BIN_DEGREES
    source: dict[str, object] = field(default_factory=dict)  # the video's sides, fps, duration, frames read

    @property
    def bins(self) -> list[tuple[int, int]]:
        return sorted(v.bin for v in self.views)

    def summary(self) -> dict[str, object]:
        """What a user sees of the bank: its name, its views' bins and the yaw range they cover."""
        yaws = [v.yaw for v in self.views]
        return {"name": self.name, "description": self.description, "views": len(self.views),
                "bins": [{"yaw": y, "pitch": p} for y, p in self.bins],
                "yaw_range": [round(min(yaws), 1), round(max(yaws), 1)] if yaws else None}


def pose_bin(yaw: float, pitch: float, degrees: float = BIN_DEGREES) -> tuple[int, int]:
    """The bin centre (degrees) nearest to a head pose."""
    return int(round(yaw / degrees) * degrees), int(round(pitch / degrees) * degrees)


def bank_pngs(bank: FaceBank) -> list[bytes]:
    """Each view's crop as PNG bytes, in the bank's order."""
    out = []
    for v in bank.views:
        ok, png = cv2.imencode(".png", cv2.cvtColor(v.crop, cv2.COLOR_RGB2BGR))
        if not ok:
            raise RuntimeError("PNG encoding failed")
        out.append(png.tobytes())
    return out


def save_bank(bank: FaceBank, path: Path | str) -> Path:
    """Write ``bank`` to ``path`` (a zip, see the module's doc) atomically."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    meta = {"format": FORMAT, "name": bank.name, "description": bank.description,
            "bin_degrees": bank.bin_degrees, "source": bank.source, "views": []}
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
            for v, png in zip(bank.views, bank_pngs(bank), strict=True):
                z.writestr(v.file, png)
                entry = {k: val for k, val in asdict(v).items() if k not in ("crop", "landmarks")}
                meta["views"].append({"file": v.file, "bin": list(v.bin), **entry})  # type: ignore[attr-defined]
            buf = io.BytesIO()
            np.save(buf, np.stack([v.landmarks for v in bank.views]).astype(np.float32) if bank.views
                    else np.zeros((0, MESH_POINTS, 3), np.float32))
            z.writestr("landmarks.npy", buf.getvalue())
            z.writestr("bank.json", json.dumps(meta, indent=1))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_bank(path: Path | str, field_name: str = "element") -> FaceBank:
    """Read a bank file; a file that is not one is rejected naming ``field_name`` and what is wrong."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:
            meta = json.loads(z.read("bank.json"))
            if meta.get("format") != FORMAT:
                raise rule_violation(InvalidInput, field_name, f"must be a face bank of format {FORMAT}",
                                     meta.get("format"))
            marks = np.load(io.BytesIO(z.read("landmarks.npy")), allow_pickle=False)
            views = []
            for i, entry in enumerate(meta["views"]):
                raw = np.frombuffer(z.read(entry["file"]), np.uint8)
                crop = cv2.cvtColor(cv2.imdecode(raw, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
                views.append(FaceView(crop, marks[i].astype(np.float32), float(entry["yaw"]),
                                      float(entry["pitch"]), float(entry["roll"]), float(entry["sharpness"]),
                                      float(entry["time"]), float(entry["mouth_open"]), float(entry["eye_open"])))
    except (OSError, KeyError, ValueError, IndexError, zipfile.BadZipFile, cv2.error) as exc:
        raise rule_violation(InvalidInput, field_name, "must be a face bank file (motionctl element create)",
                             f"{path.name}: {type(exc).__name__}: {exc}") from exc
    if not views or marks.shape != (len(views), MESH_POINTS, 3):
        raise rule_violation(InvalidInput, field_name, "must hold at least one view with its face mesh",
                             f"{len(views)} views, landmarks {marks.shape}")
    return FaceBank(str(meta.get("name", "")), str(meta.get("description", "")), views,
                    float(meta.get("bin_degrees", BIN_DEGREES)), dict(meta.get("source", {})))
