"""diffusers' WanAnimatePipeline, run one segment per call and continued across calls.

Within one call the pipeline conditions each segment on the last frames of the one before
(``prepare_prev_segment_cond_latents``). Run on a whole 30 s driver at once it also holds every
segment's decoded frames and the whole pose video on the device; called per segment, our engine
streams each segment's frames to the encoder and keeps memory to one segment. ``carry`` hands the
previous call's last frames in where the pipeline would have used its own, so a segment continues the
one before exactly as inside a single call (the first segment of a call gets no such frames).
"""

from __future__ import annotations

from typing import Any

import torch
from diffusers import WanAnimatePipeline


class ChainedWanAnimate(WanAnimatePipeline):
    carry: torch.Tensor | None = None  # (B, C, T, H, W) in [-1, 1]: the previous segment's last frames

    def prepare_prev_segment_cond_latents(self, prev_segment_cond_video: torch.Tensor | None = None,
                                          *args: Any, **kwargs: Any) -> torch.Tensor:
        if prev_segment_cond_video is None and self.carry is not None:
            prev_segment_cond_video = self.carry.to(self._execution_device)
            # start_frame > 0 marks the carried frames as known in the conditioning mask.
            kwargs["start_frame"] = max(int(kwargs.get("start_frame", 0)), 1)
        return super().prepare_prev_segment_cond_latents(prev_segment_cond_video, *args, **kwargs)
