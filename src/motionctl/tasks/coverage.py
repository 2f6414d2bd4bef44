"""Submit-time check of seed 003's rule: the character covers more than 5% of the image.

The person's silhouette is BlazePose's segmentation mask (the same detector the engine's character
analysis uses), thresholded at 0.5, as a share of the image's pixels. An image where no person is
found passes: whether such a character can be animated at all is the engine's call, and it answers
with its own reason. Runs in the intake processes (tasks/intake_pool.py), never in the API process
of a served install, and only once per stored image (intake.py caches the verdict with the key).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from motionctl.core.errors import ContentRejected

# The image is looked at with its longer side at this size: a 5% share needs no finer mask.
COVERAGE_SIDE = 512


def character_share(path: Path) -> float | None:
    """The share of the image the largest person covers (0..1); None when no person is found."""
    from motionctl.engine.perception import PoseEstimator
    from motionctl.media.decode import load_image

    rgb = load_image(path, field="image_url").rgb
    with PoseEstimator(tracking=False, segmentation=True, max_side=COVERAGE_SIDE) as est:
        found = est.estimate(rgb)
    if found is None or found.mask is None:
        return None
    return float(np.mean(np.asarray(found.mask) > 0.5))


def check_coverage(path: Path, minimum: float, field: str = "image_url") -> None:
    if minimum <= 0:
        return
    share = character_share(path)
    if share is not None and share <= minimum:
        raise ContentRejected(
            f"{field}: the character must cover more than {minimum * 100:g}% of the image "
            f"(got {share * 100:.1f}%); crop the image closer to the character",
            field=field,
            rule="character_coverage",
            value=round(share, 4),
        )
