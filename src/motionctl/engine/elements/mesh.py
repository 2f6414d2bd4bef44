"""Face-mesh geometry for drawing a bank view: the face oval, a triangulation, head turns in 3D,
and a piecewise-affine warp (one triangle at a time, done as one remap)."""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.engine.perception.head_pose import face_axes

# The face mesh's outline, in order around the face (MediaPipe's FACEMESH_FACE_OVAL).
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)  # fmt: skip
FACE_POINTS = 468  # the mesh proper; 468-477 are the irises
# Each side's brow and eye, and the lips' outline (MediaPipe's FACEMESH_*EYEBROW, *EYE and LIPS).
BROWS_AND_EYES = ((46, 53, 52, 65, 55, 70, 63, 105, 66, 107, 33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161,
                   160, 159, 158, 157, 173),
                  (276, 283, 282, 295, 285, 300, 293, 334, 296, 336, 263, 249, 390, 373, 374, 380, 381, 382, 362,
                   466, 388, 387, 386, 385, 384, 398))  # fmt: skip
# How far the face slides across the head's outline as it turns, as the depth of its turning centre
# behind the mesh's centroid, in face widths. On real turning heads the face slides across the head's
# silhouette further than a turn about the neck alone moves it (benchmarks/head_slide.py measures the
# slide per sin(yaw)): the silhouette itself shifts the other way as the side and back of the head
# come into view. The image's head outline does not turn, so the face makes the whole slide across it,
# held a little under the measured one, as the near cheek then uncovers more of the smoothed-out face;
# a face slid as far as the neck alone moves it reads less turned than the driver's
# (benchmarks/element_turns.py, benchmarks/element_yaw.py).
HEAD_DEPTH = 0.6
# The inner lips' upper and lower points, paired across the mouth (the corners 78 and 308 are shared).
INNER_LIPS = ((191, 95), (80, 88), (81, 178), (82, 87), (13, 14), (312, 317), (311, 402), (310, 318), (415, 324))
LIPS = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185)


def triangulate(points: np.ndarray) -> np.ndarray:
    """Delaunay triangles (T, 3) over the first FACE_POINTS of a frontal face mesh (x, y)."""
    pts = points[:FACE_POINTS, :2].astype(np.float32)
    lo, hi = pts.min(axis=0) - 2, pts.max(axis=0) + 2
    sub = cv2.Subdiv2D((int(lo[0]), int(lo[1]), int(hi[0] - lo[0]) + 2, int(hi[1] - lo[1]) + 2))
    for p in pts:
        sub.insert((float(p[0]), float(p[1])))
    tris = sub.getTriangleList().reshape(-1, 3, 2)
    lookup = {(round(float(x), 3), round(float(y), 3)): i for i, (x, y) in enumerate(pts)}
    out = []
    for tri in tris:
        ids = [lookup.get((round(float(x), 3), round(float(y), 3))) for x, y in tri]
        if all(i is not None for i in ids):
            out.append(ids)
    return np.array(out, np.int32)


def rotation(axis: np.ndarray, degrees: float) -> np.ndarray:
    """Rodrigues: the 3x3 rotation about unit ``axis`` by ``degrees``."""
    a = np.radians(degrees)
    k = axis / max(float(np.linalg.norm(axis)), 1e-9)
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(a) * kx + (1 - np.cos(a)) * (kx @ kx)


def turned(face: np.ndarray, d_yaw: float, d_pitch: float, depth: float = HEAD_DEPTH) -> np.ndarray:
    """A (478, 3) face mesh turned by ``d_yaw`` and nodded by ``d_pitch`` degrees about a centre
    ``depth`` face widths behind the mesh's centroid: the face slides sideways across the image's
    head outline as it turns (see HEAD_DEPTH); the skin it uncovers is the smoothed-out face
    (binding.py)."""
    p = face[:, :3].astype(np.float64)
    across, down, into = face_axes(p)
    width = float(np.linalg.norm(p[454] - p[234]))
    centre = p[:FACE_POINTS].mean(axis=0) + into * depth * width
    r = rotation(across, -d_pitch) @ rotation(down, -d_yaw)
    return ((p - centre) @ r.T + centre).astype(np.float32)


def closed_mouth(face: np.ndarray) -> np.ndarray:
    """``face`` (478, 2+) with the inner lips met halfway: a bank view is a near-neutral face with its
    lips together, and warped onto a mouth drawn open (a smile showing teeth) it stretched the line
    where its lips meet into a grey band; the driver's mouth is opened afterwards (puppet/face.py)."""
    out = face.copy()
    for upper, lower in INNER_LIPS:
        out[upper] = out[lower] = (face[upper] + face[lower]) / 2
    return out


def triangle_order(points3: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Triangles far to near (by depth): drawn in this order the near ones cover the far ones when a
    turned face folds its far cheek behind the nose."""
    return tris[np.argsort(-points3[tris, 2].mean(axis=1))]


def piecewise_maps(dst: np.ndarray, tris: np.ndarray, box: tuple[int, int, int, int],
                   sources: list[np.ndarray]) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """For the pixels of ``box`` (x0, y0, x1, y1) the triangle each lies in (-1: none) and, per
    source mesh, remap coordinates into it: the piecewise-affine warp taking ``sources[k]``'s
    triangles onto ``dst``'s. ``tris`` is drawn in order (later triangles win)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    index = np.full((h, w), -1, np.int32)
    d = dst[tris, :2].astype(np.float64) - (x0, y0)  # (T, 3, 2)
    e1, e2 = d[:, 1] - d[:, 0], d[:, 2] - d[:, 0]
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    ok = np.abs(det) > 0.05  # triangles folded flat by a turn draw nothing
    fixed = np.round(d * 16).astype(np.int32)
    drawn = np.flatnonzero(ok)
    for t, corners in zip(drawn.tolist(), fixed[drawn], strict=True):
        cv2.fillConvexPoly(index, corners, t, cv2.LINE_8, 4)
    det = np.where(ok, det, 1.0)
    # (u, v) = inv @ (p - d0): the pixel's place along the triangle's two edges
    inv = np.stack([np.stack([e2[:, 1], -e2[:, 0]], 1), np.stack([-e1[:, 1], e1[:, 0]], 1)], 1) / det[:, None, None]
    # Each pixel looks its triangle's affine map up in a table whose first row (no triangle) maps to
    # -1: lookups over the whole box cost less than gathering the covered pixels' coordinates first.
    row = index + 1
    xs = np.arange(w, dtype=np.float32)[None, :]
    ys = np.arange(h, dtype=np.float32)[:, None]
    maps = []
    for src in sources:
        s = src[tris, :2].astype(np.float64)  # (T, 3, 2)
        a = np.stack([s[:, 1] - s[:, 0], s[:, 2] - s[:, 0]], 2) @ inv  # (T, 2, 2): dst offsets -> src offsets
        b = s[:, 0] - np.einsum("tij,tj->ti", a, d[:, 0])  # (T, 2)
        table = np.vstack([[0, 0, 0, 0, -1, -1], np.concatenate([a.reshape(-1, 4), b], 1)]).astype(np.float32)
        c = [np.take(table[:, k], row) for k in range(6)]
        maps.append((c[0] * xs + c[1] * ys + c[4], c[2] * xs + c[3] * ys + c[5]))
    return index, maps
