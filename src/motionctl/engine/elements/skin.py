"""A face's skin in a picture, and a bank view made ready to draw on a character's face: the hair
its outline takes in cleared, its colours moved to the character's skin's."""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.engine.elements.bank import FaceView
from motionctl.engine.elements.mesh import BROWS_AND_EYES, FACE_OVAL, LIPS

SKIN_LAB = 18.0  # Lab distance from the cheeks' colour within which a face pixel counts as skin
GREY_AB = 128.0  # OpenCV's 8-bit Lab: a and b of a grey
MIN_CHROMA = 3.0  # a view's skin nearer grey than this on a chroma axis is shifted there, not scaled
MAX_CHROMA_GAIN = 4.0
DARK_L = 25.0  # lightness (8-bit Lab) below which chroma is not carried as a share of it
# The outline's band (share of the face's width) in which a view's pixels that are not skin (hair over
# the temples and cheeks, an ear, the background) are cleared to skin: a turn stretches that band
# across the near cheek, where they smeared into streaks and smudges (docs/elements contact sheets).
HAIR_BAND = 0.18


def oval_mask(shape: tuple[int, ...], points: np.ndarray, shrink: float) -> np.ndarray:
    """The face oval filled (uint8 0/1), shrunk by ``shrink`` px."""
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(points[list(FACE_OVAL), :2]).astype(np.int32)], 1)
    if shrink >= 1:
        k = 2 * int(shrink) + 1
        mask = cv2.erode(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return mask


def skin_mask(lab: np.ndarray, points: np.ndarray, shrink: float) -> tuple[np.ndarray, np.ndarray]:
    """The face's skin (inside the outline shrunk by ``shrink`` px, near the cheeks' Lab colour: not
    hair, brows, eyes or lips) as a 0/1 float mask, and the cheeks' colour."""
    h, w = lab.shape[:2]
    cheeks = [(points[61] + points[263]) / 2, (points[291] + points[33]) / 2]  # mouth corner to far eye corner
    ref = np.median([lab[int(np.clip(p[1], 0, h - 1)), int(np.clip(p[0], 0, w - 1))] for p in cheeks], axis=0)
    inside = oval_mask((h, w), points, shrink).astype(bool)
    return (inside & (np.linalg.norm(lab - ref, axis=2) < SKIN_LAB)).astype(np.float32), ref


def skin_stats(image: np.ndarray, face: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean and spread (Lab) of the face's skin: both sides of the colour match compare skin with
    skin (with eyes and brows counted in, a photo's darker features pulled its skin darker)."""
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    mask = skin_mask(lab, face, 0.08 * width)[0].astype(bool)
    px = lab[mask] if mask.sum() > 50 else lab[oval_mask(image.shape[:2], face, 0).astype(bool)]
    return px.mean(axis=0), px.std(axis=0) + 1e-3


def colour_matched(crop: np.ndarray, landmarks: np.ndarray, skin: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """A view's crop (its face mesh ``landmarks``) in the character's face's colours (``skin``: its
    skin_stats). Lightness moves to the character's skin's mean and spread (the spread's change held
    to 0.7-1.25x: a flat cartoon face must not flatten a photo to a blur). Chroma (Lab a, b about
    grey) is carried as a share of lightness, each axis scaled so the view's skin lands on the
    character's: greys stay grey, and a feature made darker keeps its hue without growing more
    saturated. A shift by the skins' difference turned the shadows round the eyes and the brows blue
    on a paler, pinker character; chroma kept while lightness fell turned lips magenta on a darker
    one (docs/elements contact sheets). A view with next to no chroma (black and white) is shifted."""
    width = float(np.linalg.norm(landmarks[454, :2] - landmarks[234, :2]))
    mean, spread = skin_stats(crop, landmarks, width)
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32)
    out = np.empty_like(lab)
    out[..., 0] = np.clip((lab[..., 0] - mean[0]) * np.clip(skin[1][0] / spread[0], 0.7, 1.25) + skin[0][0], 0, 255)
    darker = out[..., 0] / np.maximum(lab[..., 0], DARK_L)  # how much lighter (> 1) or darker each pixel is
    for c in (1, 2):
        have, want = float(mean[c]) - GREY_AB, float(skin[0][c]) - GREY_AB
        if abs(have) > MIN_CHROMA:
            share = (want / max(float(skin[0][0]), DARK_L)) / (have / max(float(mean[0]), DARK_L))
            out[..., c] = GREY_AB + (lab[..., c] - GREY_AB) * darker * float(np.clip(share, 0.0, MAX_CHROMA_GAIN))
        else:
            out[..., c] = lab[..., c] + (want - have)
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def without_hair(view: FaceView) -> np.ndarray:
    """The view's crop with what is not skin in the outline's band (HAIR_BAND) filled from the skin
    around it; eyes, brows and lips are kept wherever they reach."""
    crop, pts = view.crop, view.landmarks
    width = float(np.linalg.norm(pts[454, :2] - pts[234, :2]))
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32)
    skin = skin_mask(lab, pts, 0)[0]
    oval = oval_mask(crop.shape[:2], pts, 0)
    features = np.zeros(crop.shape[:2], np.uint8)
    for ids in (*BROWS_AND_EYES, LIPS):
        cv2.fillConvexPoly(features, cv2.convexHull(np.round(pts[list(ids), :2]).astype(np.int32)), 1)
    features = cv2.dilate(features, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    band = (cv2.distanceTransform(oval, cv2.DIST_L2, 3) < HAIR_BAND * width) & (oval > 0) & (features == 0)
    clear = (cv2.GaussianBlur((band & (skin == 0)).astype(np.float32), (0, 0), 1.5) * (features == 0))[..., None]
    sigma = max(2.0, 0.08 * width)
    weight = cv2.GaussianBlur(skin, (0, 0), sigma)[..., None]
    fill = cv2.GaussianBlur(crop.astype(np.float32) * skin[..., None], (0, 0), sigma) / np.maximum(weight, 1e-3)
    return np.clip(crop + clear * (fill - crop), 0, 255).astype(np.uint8)
