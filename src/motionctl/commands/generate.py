"""`motionctl generate`: one process, no server — image + driving video -> MP4."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from motionctl.commands.engine_options import (
    DEVICE,
    DTYPE,
    ENGINE,
    MAX_AREA,
    OFFLOAD,
    SEED,
    STEPS,
    WEIGHTS,
    engine_options,
)
from motionctl.core.engines import EngineName
from motionctl.core.errors import InvalidInput, MotionctlError, rule_violation
from motionctl.core.types import GenerationResult, GenerationSpec, Mode, Orientation, Resolution

app = typer.Typer()

err = Console(stderr=True)


def read_joints(path: Path) -> dict[str, tuple[float, float]]:
    """--joints FILE.json: {"left_shoulder": [x, y], ...} in the image's pixels."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise rule_violation(InvalidInput, "joints", "file must exist", str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise rule_violation(InvalidInput, "joints", "must be a JSON object of joint name -> [x, y]",
                             f"{path.name}: {exc}") from None
    if not isinstance(data, dict):
        raise rule_violation(InvalidInput, "joints", "must be a JSON object of joint name -> [x, y]",
                             type(data).__name__)
    out: dict[str, tuple[float, float]] = {}
    for name, xy in data.items():
        if not (isinstance(xy, list | tuple) and len(xy) == 2 and all(isinstance(v, int | float) for v in xy)):
            raise rule_violation(InvalidInput, "joints", f"{name} must be [x, y] in pixels", xy)
        out[str(name)] = (float(xy[0]), float(xy[1]))
    return out


def uncertain_note(doubt: str) -> str:
    """What the user is told when the character's pose is uncertain, and what they can do."""
    return (f"the character's pose is uncertain ({doubt}); if limbs look wrong, give its joints with "
            "--joints FILE.json, a JSON object of joint name -> [x, y] in the image's pixels, the person's own "
            'left and right, e.g. {"left_shoulder": [420, 310], "right_shoulder": [300, 310], "left_hip": '
            '[400, 560], "right_hip": [320, 560]} (both shoulders and hips required; left_elbow, left_wrist, '
            "left_knee, left_ankle, their right_ twins and head optional)")


@app.command()
def generate(
    image: Annotated[Path, typer.Option(help="Character image (jpg/jpeg/png).")],
    video: Annotated[Path, typer.Option(help="Driving video (mp4/mov).")],
    output: Annotated[Path, typer.Option(help="Output MP4 path.")],
    orientation: Annotated[Orientation, typer.Option(help="Keep the image's framing (image, ≤10 s) or follow "
                                                     "the driver's placement (video, ≤30 s).")] = Orientation.IMAGE,
    mode: Annotated[Mode, typer.Option(help="std: fast; pro: face expressions, head tilt, hands.")] = Mode.STD,
    resolution: Annotated[Resolution | None, typer.Option(help="Short side; default std 720p, pro 1080p.")] = None,
    no_sound: Annotated[bool, typer.Option("--no-sound", help="Drop the driver's audio.")] = False,
    watermark: Annotated[bool, typer.Option("--watermark", help="Also write OUTPUT_watermark.mp4.")] = False,
    joints: Annotated[Path | None, typer.Option(help="JSON joint name -> \\[x, y] for characters no detector "
                                                "finds (drawings).")] = None,
    debug_dir: Annotated[Path | None, typer.Option(help="Write skeleton, rig and preview pictures here.")] = None,
    cache_dir: Annotated[Path | None, typer.Option(help="Keep analysed characters here: the same image used "
                                                   "again skips its analysis.")] = None,
    prompt: Annotated[str, typer.Option(help="Text prompt (wan-animate; the puppet ignores it).")] = "",
    engine: ENGINE = EngineName.PUPPET,
    weights: WEIGHTS = None,
    dtype: DTYPE = "bf16",
    offload: OFFLOAD = "none",
    device: DEVICE = "auto",
    steps: STEPS = 20,
    seed: SEED = 0,
    max_area: MAX_AREA = 1280 * 720,
    element: Annotated[Path | None, typer.Option(help="Face bank (motionctl element create): the character's "
                                                 "face drawn from it, turning as the driver's; orientation "
                                                 "video only.")] = None,
) -> None:
    """Animate the character in IMAGE with the motion of the person in VIDEO."""
    from motionctl.engine.registry import load_runner  # heavy imports only when used

    try:
        spec = GenerationSpec(image=image, video=video, orientation=orientation, mode=mode, resolution=resolution,
                              keep_sound=not no_sound, watermark=watermark,
                              joints=read_joints(joints) if joints else None, prompt=prompt,
                              element=element)
        if engine == EngineName.PUPPET:
            from motionctl.engine.character_cache import CharacterCache
            from motionctl.engine.pipeline import generate as run_puppet

            cache = CharacterCache(cache_dir) if cache_dir else None

            def run_generation(progress: Callable[[float], None] | None = None) -> GenerationResult:
                return run_puppet(spec, output, debug_dir=debug_dir, cache=cache, progress=progress)
        else:
            runner = load_runner(engine, engine_options(weights, dtype, offload, device, steps, seed, max_area))

            def run_generation(progress: Callable[[float], None] | None = None) -> GenerationResult:
                return runner(spec, output, progress)
        if sys.stderr.isatty():
            with Progress(TextColumn("generating"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                          console=err, transient=True) as bar:
                task = bar.add_task("generate", total=100)
                result = run_generation(progress=lambda f: bar.update(task, completed=100 * f))
        else:
            result = run_generation()
    except InvalidInput as exc:
        err.print(f"[bold red]rejected:[/] {escape(exc.message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except MotionctlError as exc:
        err.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if result.shortened_reason:
        err.print(f"note: {escape(result.shortened_reason)}", highlight=False, soft_wrap=True)
    if result.character_doubt:
        err.print(f"note: {escape(uncertain_note(result.character_doubt))}", highlight=False, soft_wrap=True)
    extra = f" + {result.watermark_output}" if result.watermark_output else ""
    print(f"{result.output}{extra}: {result.duration:.2f} s, {result.frames} frames, {result.width}x{result.height} "
          f"@ {result.fps:g} fps, audio {'yes' if result.has_audio else 'no'}, wall {result.wall_seconds:.1f} s, "
          f"real-time factor {result.realtime_factor:.2f}")
