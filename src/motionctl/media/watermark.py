"""The visible "motionctl" watermark: a semi-transparent box with text in the bottom-right corner.

The overlay is drawn once per frame size (OpenCV's built-in Hershey font, so no font file is needed)
and then alpha-blended into only the small corner region of each frame, which costs well under a
millisecond at 1080p.
"""

from __future__ import annotations

import cv2
import numpy as np

TEXT = "motionctl"
_BOX_OPACITY = 0.45
_TEXT_OPACITY = 0.85


class Watermark:
    """Blend the watermark into RGB frames of one size."""

    def __init__(self, width: int, height: int, text: str = TEXT) -> None:
        short = min(width, height)
        scale = max(0.4, short / 720 * 1.1)
        thickness = max(1, round(scale * 2))
        font = cv2.FONT_HERSHEY_DUPLEX
        (tw, th), base = cv2.getTextSize(text, font, scale, thickness)
        pad = max(4, round(short * 0.012))
        margin = max(6, round(short * 0.025))
        bw, bh = min(width, tw + 2 * pad), min(height, th + base + 2 * pad)
        self.x0 = max(0, width - margin - bw)
        self.y0 = max(0, height - margin - bh)
        self.size = (width, height)
        # Premultiplied overlay colour and per-pixel opacity, both float32 over the box only.
        text_mask = np.zeros((bh, bw), np.uint8)
        cv2.putText(text_mask, text, (pad, pad + th), font, scale, (255,), thickness, cv2.LINE_AA)
        text_a = text_mask.astype(np.float32) / 255.0 * _TEXT_OPACITY
        alpha = _BOX_OPACITY + (1.0 - _BOX_OPACITY) * text_a  # text over a dark box
        colour = (255.0 * text_a)[:, :, None] * np.ones(3, np.float32)  # white text, black box
        self._alpha = alpha[:, :, None]
        self._premul = colour
        self.box = (self.x0, self.y0, bw, bh)

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        """A copy of ``rgb`` (H, W, 3 uint8) with the watermark blended in."""
        h, w = rgb.shape[:2]
        if (w, h) != self.size:
            raise ValueError(f"watermark made for {self.size[0]}x{self.size[1]}, frame is {w}x{h}")
        out = rgb.copy()
        x0, y0, bw, bh = self.box
        roi = out[y0 : y0 + bh, x0 : x0 + bw].astype(np.float32)
        blended = roi * (1.0 - self._alpha) + self._premul
        out[y0 : y0 + bh, x0 : x0 + bw] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
        return out
