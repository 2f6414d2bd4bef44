"""The documented input and output limits (seeds: Kling motion-control API)."""

from __future__ import annotations

IMAGE_FORMATS = ("jpg", "jpeg", "png")
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MIN_SIDE = 300
IMAGE_MAX_SIDE = 65536
IMAGE_MIN_ASPECT = 1 / 2.5  # width / height
IMAGE_MAX_ASPECT = 2.5
# Decompression-bomb guard: a 10 MB PNG can claim billions of pixels; we never decode more than this.
IMAGE_MAX_PIXELS = 80_000_000

VIDEO_FORMATS = ("mp4", "mov")
VIDEO_MAX_BYTES = 100 * 1024 * 1024
VIDEO_MIN_SIDE = 340
VIDEO_MAX_SIDE = 3850
VIDEO_MIN_SECONDS = 3.0
VIDEO_MAX_SECONDS = {"image": 10.0, "video": 30.0}

MIN_USABLE_MOTION_SECONDS = 3.0
OUTPUT_MAX_FPS = 30.0
RESOLUTION_SHORT_SIDE = {"720p": 720, "1080p": 1080}
MODE_RESOLUTION = {"std": "720p", "pro": "1080p"}

PROMPT_MAX_CHARS = 2500
MAX_ELEMENTS = 1

# Element creation (seed 004: kling-custom-element): one face video.
ELEMENT_NAME_MAX_CHARS = 20
ELEMENT_DESCRIPTION_MAX_CHARS = 100
ELEMENT_REFERENCE_TYPES = ("video_refer",)
ELEMENT_VIDEO_FORMATS = ("mp4", "mov", "webm")
ELEMENT_VIDEO_MAX_BYTES = 100 * 1024 * 1024
ELEMENT_VIDEO_MIN_SIDE = 720
ELEMENT_VIDEO_MAX_SIDE = 2160
ELEMENT_VIDEO_MAX_SECONDS = 8.0
ELEMENT_VIDEOS = 1  # "Maximum files: 1"
