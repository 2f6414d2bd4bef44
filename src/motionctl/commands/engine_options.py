"""Command-line options that choose an engine and set it up (generate and worker share them)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from motionctl.core.engines import EngineName

if TYPE_CHECKING:
    from motionctl.engine.registry import EngineOptions

ENGINE = Annotated[EngineName, typer.Option(help="puppet (CPU) or wan-animate (GPU: the \\[gpu] extra and --weights).")]
WEIGHTS = Annotated[Path | None, typer.Option(help="wan-animate: a local copy of Wan-AI/Wan2.2-Animate-14B-Diffusers "
                                              "(nothing is downloaded).")]
DTYPE = Annotated[str, typer.Option(help="wan-animate: bf16, fp16 or fp32 (the VAE runs in fp32).")]
OFFLOAD = Annotated[str, typer.Option(help="wan-animate: none, model or sequential CPU offload (smaller GPUs; "
                                      "sequential needs the least memory and is the slowest).")]
DEVICE = Annotated[str, typer.Option(help="wan-animate: auto (CUDA), cuda or cpu (tiny test weights only).")]
STEPS = Annotated[int, typer.Option(min=1, help="wan-animate: denoising steps per 77-frame segment.")]
SEED = Annotated[int, typer.Option(help="wan-animate: random seed.")]
MAX_AREA = Annotated[int, typer.Option(min=256, help="wan-animate: generation size by area (1280x720 = 921600); "
                                       "smaller only for quick tests.")]


def engine_options(weights: Path | None, dtype: str, offload: str, device: str, steps: int = 20, seed: int = 0,
                   max_area: int = 1280 * 720) -> EngineOptions:
    from motionctl.engine.registry import EngineOptions

    return EngineOptions(weights=weights, dtype=dtype, offload=offload, device=device, steps=steps, seed=seed,
                         max_area=max_area)
