"""Engines by name: each one a runner ``(spec, output, progress) -> GenerationResult``.

What an engine can run is declared in ``core/engines.py`` (plain data); this module loads the engine
itself, and only the one chosen: the puppet's modules import mediapipe and OpenCV, wan-animate's import
torch and diffusers (the optional ``[gpu]`` extra), and neither is imported before it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from motionctl.core.engines import WAN_ANIMATE, engine_named
from motionctl.core.errors import InvalidInput, rule_violation
from motionctl.core.types import GenerationResult, GenerationSpec

Progress = Callable[[float], None]
Runner = Callable[[GenerationSpec, Path, Progress | None], GenerationResult]


@dataclass(frozen=True)
class EngineOptions:
    """Settings of the engines that have any (the puppet has none beyond its cache)."""

    weights: Path | None = None  # wan-animate: a local copy of Wan-AI/Wan2.2-Animate-14B-Diffusers
    dtype: str = "bf16"  # bf16, fp16 or fp32 for the transformer and encoders (the VAE runs in fp32)
    offload: str = "none"  # none, model (whole models to the GPU in turn) or sequential (layer by layer)
    device: str = "auto"  # auto (cuda when present, else an error), cuda or cpu (tests with tiny weights)
    steps: int = 20  # denoising steps per segment (Wan's default for animate)
    seed: int = 0
    max_area: int = 1280 * 720  # generation size by area; smaller only for tests on a CPU
    cache_dir: Path | None = None  # puppet: analysed characters kept here


def load_runner(name: str, options: EngineOptions | None = None) -> Runner:
    """The runner of engine ``name``; for wan-animate this loads the weights (once per runner)."""
    caps = engine_named(name)
    opts = options or EngineOptions()
    if caps.name == WAN_ANIMATE.name:
        if opts.weights is None:
            raise rule_violation(InvalidInput, "weights", "is required with --engine wan-animate (a local copy of "
                                 "Wan-AI/Wan2.2-Animate-14B-Diffusers)", "none")
        try:
            from motionctl.engine.wan_animate.engine import WanAnimateEngine
        except ImportError as exc:
            raise rule_violation(InvalidInput, "engine", "wan-animate needs the [gpu] extra: "
                                 "pip install 'motionctl[gpu]'", f"{type(exc).__name__}: {exc}") from None
        return WanAnimateEngine(opts)
    return _puppet_runner(opts)


def _puppet_runner(opts: EngineOptions) -> Runner:
    def run(spec: GenerationSpec, output: Path, progress: Progress | None = None) -> GenerationResult:
        from motionctl.engine.character_cache import CharacterCache
        from motionctl.engine.pipeline import generate

        cache = CharacterCache(opts.cache_dir) if opts.cache_dir else None
        return generate(spec, output, progress=progress, cache=cache)

    return run
