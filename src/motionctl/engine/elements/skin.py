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
MAX_EXPOSURE = 2.0  # how much a view's lightness differences grow (or shrink) at most
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


def skin_colour(image: np.ndarray, face: np.ndarray, width: float) -> np.ndarray:
    """The mean Lab colour of the face's skin: both sides of the colour match compare skin with skin
    (with eyes and brows counted in, a photo's darker features pulled its skin darker). Only the
    face's box is looked at (a whole 1080p frame in Lab cost a tenth of a second)."""
    h, w = image.shape[:2]
    x0, y0 = np.maximum(np.floor(face[:, :2].min(axis=0)).astype(int) - 1, 0)
    x1, y1 = np.minimum(np.ceil(face[:, :2].max(axis=0)).astype(int) + 2, (w, h))
    local = face[:, :2] - (x0, y0)
    lab = cv2.cvtColor(np.ascontiguousarray(image[y0:y1, x0:x1]), cv2.COLOR_RGB2LAB).astype(np.float32)
    mask = skin_mask(lab, local, 0.08 * width)[0].astype(bool)
    px = lab[mask] if mask.sum() > 50 else lab[oval_mask(lab.shape[:2], local, 0).astype(bool)]
    return px.mean(axis=0)


def colour_matched(crop: np.ndarray, landmarks: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """A view's crop (its face mesh ``landmarks``) in the character's face's colours (``skin``: its
    skin_colour), as if the face video had been lit and exposed like the image. Lightness: the view's
    skin moves to the character's and every difference from it is scaled by the ratio of the two
    skins' lightness (held to MAX_EXPOSURE either way): brows and eyes stay as much darker than the
    skin as they were, where moving the lightness alone left a dim video's brows pale grey on a pale
    character. Chroma (Lab a, b about grey) is carried as a share of lightness, each axis scaled so
    the view's skin lands on the character's: greys stay grey, and a feature made darker keeps its
    hue without growing more saturated. A shift by the skins' difference turned the shadows round the
    eyes and the brows blue on a paler, pinker character; chroma kept while lightness fell turned lips
    magenta on a darker one (docs/elements contact sheets). What scaling cannot reach (a blue or
    green skin against the video's warm one, a black-and-white video) is shifted, as a share of
    lightness."""
    width = float(np.linalg.norm(landmarks[454, :2] - landmarks[234, :2]))
    mean = skin_colour(crop, landmarks, width)
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32)
    out = np.empty_like(lab)
    exposure = float(np.clip(skin[0] / max(float(mean[0]), DARK_L), 1 / MAX_EXPOSURE, MAX_EXPOSURE))
    out[..., 0] = np.clip((lab[..., 0] - mean[0]) * exposure + skin[0], 0, 255)
    darker = out[..., 0] / np.maximum(lab[..., 0], DARK_L)  # how much lighter (> 1) or darker each pixel is
    light = out[..., 0] / max(float(skin[0]), DARK_L)  # each pixel's lightness as a share of the skin's
    skins = max(float(skin[0]), DARK_L) / max(float(mean[0]), DARK_L)
    for c in (1, 2):
        have, want = float(mean[c]) - GREY_AB, float(skin[c]) - GREY_AB
        gain = float(np.clip(want / (have * skins), 0.0, MAX_CHROMA_GAIN)) if abs(have) > MIN_CHROMA else 0.0
        rest = want - have * gain * skins  # what scaling leaves of the skins' difference (a hue the view's lacks)
        out[..., c] = GREY_AB + (lab[..., c] - GREY_AB) * darker * gain + rest * light
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def hair_over_face(rgb: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Where hair (or an ear, or the background) lies inside the face's outline, in the outline's band
    (HAIR_BAND): what is not skin there and not an eye, a brow or the lips. Float32, 0-1, softened
    by a pixel or two; exactly 0 on the features."""
    width = float(np.linalg.norm(points[454, :2] - points[234, :2]))
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    skin = skin_mask(lab, points, 0)[0]
    oval = oval_mask(rgb.shape[:2], points, 0)
    features = np.zeros(rgb.shape[:2], np.uint8)
    for ids in (*BROWS_AND_EYES, LIPS):
        cv2.fillConvexPoly(features, cv2.convexHull(np.round(points[list(ids), :2]).astype(np.int32)), 1)
    features = cv2.dilate(features, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    band = (cv2.distanceTransform(oval, cv2.DIST_L2, 3) < HAIR_BAND * width) & (oval > 0) & (features == 0)
    return cv2.GaussianBlur((band & (skin == 0)).astype(np.float32), (0, 0), 1.5) * (features == 0)


def without_hair(view: FaceView) -> np.ndarray:
    """The view's crop with its hair_over_face filled from the skin around it (a turn stretches the
    outline's band across the near cheek); eyes, brows and lips are kept wherever they reach."""
    crop, pts = view.crop, view.landmarks
    width = float(np.linalg.norm(pts[454, :2] - pts[234, :2]))
    skin = skin_mask(cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32), pts, 0)[0]
    clear = hair_over_face(crop, pts)[..., None]
    sigma = max(2.0, 0.08 * width)
    weight = cv2.GaussianBlur(skin, (0, 0), sigma)[..., None]
    fill = cv2.GaussianBlur(crop.astype(np.float32) * skin[..., None], (0, 0), sigma) / np.maximum(weight, 1e-3)
    return np.clip(crop + clear * (fill - crop), 0, 255).astype(np.uint8)
