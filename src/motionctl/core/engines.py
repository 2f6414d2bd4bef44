"""What each engine can run, as plain data: the CLI, the task queue and the models catalogue read it.

An engine is chosen by name (``motionctl generate --engine``, ``motionctl worker --engine``). Each one
declares the models it serves, the modes, orientations and resolutions it accepts, the longest driver it
takes per orientation and whether it needs a GPU. A worker claims only the tasks its engine can run
(``TaskQueue.claim(serves=...)``): a task for a model only a GPU engine serves waits for such a worker.
Nothing here imports an engine; ``motionctl.engine.registry`` loads one when it is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from motionctl.core.errors import InvalidInput, rule_violation
from motionctl.core.limits import VIDEO_MAX_SECONDS


class EngineName(StrEnum):
    PUPPET = "puppet"
    WAN_ANIMATE = "wan-animate"


@dataclass(frozen=True)
class EngineCapabilities:
    name: str
    summary: str
    models: tuple[str, ...]  # the API's model_name values this engine serves
    modes: tuple[str, ...]
    orientations: tuple[str, ...]
    resolutions: tuple[str, ...]
    max_seconds: dict[str, float]  # longest driver per orientation
    needs_gpu: bool
    output_fps: str  # "driver" (its own rate, at most 30) or a fixed rate
    notes: str = ""  # what a catalogue should say about the output (sizes, resizing)
    builds_elements: bool = False  # its workers also run element creations (face banks: CPU work)

    def refusal(self, *, model: str | None = None, mode: str | None = None, orientation: str | None = None,
                resolution: str | None = None) -> str | None:
        """Why this engine cannot run such a request (the field, the rule, the value), or None."""
        checks = (("model_name", model, self.models), ("mode", mode, self.modes),
                  ("character_orientation", orientation, self.orientations),
                  ("resolution", resolution, self.resolutions))
        for field, value, allowed in checks:
            if value is not None and value not in allowed:
                return f"{field}: engine {self.name} accepts {' or '.join(allowed)} (got {value!r})"
        return None


PUPPET = EngineCapabilities(
    name="puppet",
    summary="CPU: pose tracking and 2D mesh deformation of the character image",
    models=("kling-v2-6", "kling-v3"),
    modes=("std", "pro"),
    orientations=("image", "video"),
    resolutions=("720p", "1080p"),
    max_seconds=dict(VIDEO_MAX_SECONDS),
    needs_gpu=False,
    output_fps="driver",
    notes="short side 720 or 1080 px, the image's aspect ratio, the driver's frame rate (at most 30 fps)",
    builds_elements=True,
)

WAN_ANIMATE = EngineCapabilities(
    name="wan-animate",
    summary="GPU: Wan2.2-Animate-14B through diffusers (WanAnimatePipeline), weights from a local directory",
    models=("wan2.2-animate",),
    modes=("std", "pro"),
    orientations=("image", "video"),
    resolutions=("720p", "1080p"),
    max_seconds=dict(VIDEO_MAX_SECONDS),
    needs_gpu=True,
    output_fps="30",
    notes="generated at 1280x720 by area (sides multiples of 16, the image's aspect ratio), 30 fps; "
          "written at short side 720 px, or 1080 px by resizing the generated frames",
)

ENGINES: dict[str, EngineCapabilities] = {e.name: e for e in (PUPPET, WAN_ANIMATE)}
DEFAULT_ENGINE = PUPPET.name


def engine_named(name: str) -> EngineCapabilities:
    try:
        return ENGINES[name]
    except KeyError:
        raise rule_violation(InvalidInput, "engine", f"must be one of {', '.join(ENGINES)}", name) from None


def engine_for_model(model: str) -> EngineCapabilities | None:
    """The engine that serves a model id (the models catalogue says this beside each model)."""
    return next((e for e in ENGINES.values() if model in e.models), None)
