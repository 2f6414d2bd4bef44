"""The measures a viewer would agree with, read in the output scan's own pass over the frames.

``ViewerScan.add`` takes each output frame with its re-detected pose and silhouette (the runner's
output scan calls it), and ``ViewerScan.report`` combines the readings with the driver's poses:
limb appearance (limb_colours), broken frames (broken, silhouette), ghosts (ghosts) and, in
orientation image, framing (framing). The image's side — its joints (detected, or given with
--joints) and silhouette — is ``ImageSide``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from motionctl.core.types import JOINT, Pose
from motionctl.eval.broken import BrokenFrames, broken_frames
from motionctl.eval.colour_holes import ColourModel
from motionctl.eval.framing import edge_cuts, scale_reading
from motionctl.eval.ghosts import GHOST_STRENGTH, GhostReference
from motionctl.eval.limb_colours import LimbAppearance, LimbReference
from motionctl.eval.silhouette import SIDES, read_silhouette
from motionctl.eval.tracks import PoseTrack

GHOST_EVERY = 3  # ghosts are read on every n-th scanned frame (a ghost stays put; it need not be read often)
TARGET_LIMB_APPEARANCE = 0.85


@dataclass
class ImageSide:
    """The character image as the viewer measures see it."""

    rgb: np.ndarray
    pose: Pose | None
    silhouette: np.ndarray | None  # bool, image size
    pose_source: str  # "detected", "given" (--joints) or "none"


def pose_from_joints(joints: dict[str, tuple[float, float]]) -> Pose:
    """Given joints (BlazePose names, plus "head" for where the nose is when none is given)."""
    points = np.full((33, 2), np.nan)
    vis = np.zeros(33)
    named = dict(joints)
    if "head" in named and "nose" not in named:
        named["nose"] = named["head"]
    for name, xy in named.items():
        if name in JOINT:
            points[JOINT[name]] = xy
            vis[JOINT[name]] = 1.0
    return Pose(points, vis)


def hull_silhouette(shape: tuple[int, int], pose: Pose, grow: float = 0.08) -> np.ndarray:
    """Where a character given only by its joints is, roughly: their hull grown by a share of its size."""
    pts = pose.points[(pose.visibility >= 0.5) & np.isfinite(pose.points).all(axis=1)]
    m = np.zeros(shape, np.uint8)
    if len(pts) >= 3:
        cv2.fillConvexPoly(m, cv2.convexHull(np.round(pts).astype(np.int32)), (1,))
        r = max(1, round(grow * float(np.linalg.norm(pts.max(axis=0) - pts.min(axis=0)))))
        m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    return m.astype(bool)


@dataclass
class GhostReport:
    frames: int  # frames read
    ghost_frames: int  # of those, with a ghost (strength >= GHOST_STRENGTH)
    mean_strength: float | None
    max_strength: float | None


@dataclass
class FramingReport:
    frames: int
    cut_frames: int  # a side reached that the image's silhouette does not reach
    cut_sides: list[str]  # every side cut at least once
    mis_scaled_frames: int  # the figure's size outside the driver's own change (framing.SCALE_TOLERANCE)
    scale_min: float | None  # the figure's size over the image's, smallest and largest over the clip
    scale_max: float | None
    driver_scale_min: float | None  # the driver's size over its start, likewise
    driver_scale_max: float | None

    @property
    def bad_frames(self) -> int:
        return self.cut_frames + self.mis_scaled_frames


@dataclass
class ViewerReport:
    image_pose: str  # where the image's joints come from: "detected", "given" or "none"
    limb_appearance: LimbAppearance
    broken: BrokenFrames
    ghosts: GhostReport
    framing: FramingReport | None  # orientation image only
    readable_frames: int = 0  # output frames with a silhouette
    notes: list[str] = field(default_factory=list)


def _range(values: np.ndarray) -> tuple[float | None, float | None]:
    v = values[np.isfinite(values)]
    return (float(v.min()), float(v.max())) if len(v) else (None, None)


class ViewerScan:
    """Per-frame readings of the output, fed by the runner's output scan (``add``)."""

    def __init__(self, image: ImageSide, orientation: str) -> None:
        self.image = image
        self.orientation = orientation
        pose = image.pose
        self.limbs = LimbReference.from_image(image.rgb, pose.points, pose.visibility) if pose else None
        self.ghost_ref = GhostReference(image.rgb, pose.points, pose.visibility) if pose else None
        sil = image.silhouette
        self.image_reading = read_silhouette(sil, pose.points if pose else None,
                                             pose.visibility if pose else None) if sil is not None else None
        if pose is not None:
            shape = (image.rgb.shape[0], image.rgb.shape[1])
            known = sil if sil is not None else hull_silhouette(shape, pose)
            self.colours: ColourModel | None = ColourModel(image.rgb, known, pose.points, pose.visibility)
        else:
            self.colours = None
        self.colour_holes: list[float | None] = []
        self.matches: list[dict[str, bool]] = []
        self.holes: list[float | None] = []
        self.pieces: list[int] = []
        self.edges: list[frozenset[str]] = []
        self.ghost_values: list[float] = []
        self.readable = 0

    def add(self, rgb: np.ndarray, pose: Pose | None, mask: np.ndarray | None) -> None:
        """One output frame (in order), its re-detected pose and silhouette (float [0, 1]), if any."""
        points = pose.points if pose is not None else None
        vis = pose.visibility if pose is not None else None
        self.matches.append(self.limbs.frame_matches(rgb, points, vis) if self.limbs else {})
        if mask is not None:
            colours = self.colours
            background = (lambda shape: colours.background_map(rgb, shape)) if colours is not None else None
            reading = read_silhouette(mask, points, vis, background)
            self.readable += 1
        else:
            reading = None
        self.holes.append(reading.torso_holes if reading else None)
        self.colour_holes.append(self.colours.hole_share(rgb, points, vis) if self.colours else None)
        self.pieces.append(reading.pieces if reading else 0)
        self.edges.append(reading.edges if reading else frozenset())
        if self.ghost_ref is not None and (len(self.matches) - 1) % GHOST_EVERY == 0:
            g = self.ghost_ref.strength(rgb, points, vis)
            if g is not None:
                self.ghost_values.append(g)

    def report(self, output: PoseTrack, driver: PoseTrack) -> ViewerReport:
        img = self.image_reading
        broken = broken_frames(output, driver, self.holes, self.pieces,
                               img.torso_holes if img else None, img.pieces if img else 0, self.colour_holes)
        g = np.array(self.ghost_values)
        ghosts = GhostReport(len(g), int((g >= GHOST_STRENGTH).sum()), float(g.mean()) if len(g) else None,
                             float(g.max()) if len(g) else None)
        return ViewerReport(
            image_pose=self.image.pose_source,
            limb_appearance=LimbAppearance.of(self.matches),
            broken=broken,
            ghosts=ghosts,
            framing=self._framing(output, driver) if self.orientation == "image" else None,
            readable_frames=self.readable,
        )

    def _framing(self, output: PoseTrack, driver: PoseTrack) -> FramingReport | None:
        image = self.image
        if image.pose is None:
            return None
        h, w = image.rgb.shape[:2]
        sil = image.silhouette if image.silhouette is not None else hull_silhouette((h, w), image.pose)
        image_edges = read_silhouette(sil, None, None).edges
        cuts = edge_cuts(self.edges, image_edges)
        scale = scale_reading(output, driver, image.pose.points, image.pose.visibility, (w, h))
        mis = int(scale.mis_scaled.sum()) if scale is not None else 0
        lo, hi = _range(scale.ratios) if scale is not None else (None, None)
        dlo, dhi = _range(scale.driver_ratios) if scale is not None else (None, None)
        return FramingReport(
            frames=len(cuts), cut_frames=sum(1 for c in cuts if c),
            cut_sides=[s for s in SIDES if any(s in c for c in cuts)], mis_scaled_frames=mis,
            scale_min=lo, scale_max=hi, driver_scale_min=dlo, driver_scale_max=dhi,
        )  # fmt: skip


def viewer_targets(report: ViewerReport) -> list[tuple[str, float | None, float, bool]]:
    """(name, value, threshold, higher is better) of the issue-22 targets these measures carry."""
    out: list[tuple[str, float | None, float, bool]] = [
        ("limb appearance (bone-frames matching)", report.limb_appearance.share, TARGET_LIMB_APPEARANCE, True),
        ("broken frames", float(report.broken.broken), 0.0, False),
    ]
    if report.framing is not None:
        out.append(("framing: frames cut or mis-scaled", float(report.framing.bad_frames), 0.0, False))
    return out
