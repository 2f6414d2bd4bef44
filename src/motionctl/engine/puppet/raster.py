"""Compositing: the posed layers over the background plate, back to front."""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.engine.puppet.character import Character
from motionctl.engine.puppet.deform import layer_parts, warp_layer
from motionctl.engine.puppet.retarget import Posed


def over(canvas: np.ndarray, patch: np.ndarray, origin: tuple[int, int]) -> None:
    """Premultiplied 'over' of a uint8 RGBA patch onto a uint8 RGB canvas, in place.

    OpenCV's saturating uint8 arithmetic does this several times faster than float numpy."""
    x0, y0 = origin
    h, w = patch.shape[:2]
    region = canvas[y0 : y0 + h, x0 : x0 + w]
    alpha = cv2.extractChannel(patch, 3)
    inv = cv2.merge([cv2.bitwise_not(alpha, dst=alpha)] * 3)  # 255 - alpha per colour, in two passes
    cv2.multiply(region, inv, dst=region, scale=1.0 / 255.0)
    cv2.add(region, cv2.cvtColor(patch, cv2.COLOR_RGBA2RGB), dst=region)


class Renderer:
    def __init__(self, character: Character) -> None:
        self.character = character
        self.plate = character.plate
        self.layers = {layer.name: layer for layer in character.layers}
        self.parts = {layer.name: layer_parts(layer) for layer in character.layers}

    def render(self, posed: Posed) -> np.ndarray:
        canvas = self.plate.copy()
        for name in posed.order:
            layer = self.layers.get(name)
            if layer is None:
                continue
            affines = [posed.affines[b] for b in layer.skin.bones]
            for part in self.parts[name]:
                warped = warp_layer(layer, part, affines, self.character.size)
                if warped is not None:
                    over(canvas, *warped)
        return canvas
