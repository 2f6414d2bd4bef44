"""`motionctl eval`: score a generated video against the image and driving video it was made from."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from motionctl.core.errors import InvalidInput, MotionctlError
from motionctl.core.types import Mode, Orientation

app = typer.Typer()


@app.command("eval")
def eval_command(
    image: Annotated[Path, typer.Option("--image", help="The reference image the output was made from.")],
    video: Annotated[Path, typer.Option("--video", help="The driving video the output was made from.")],
    output: Annotated[Path, typer.Option("--output", help="The generated video to score.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON, not tables.")] = False,
    orientation: Annotated[
        Orientation, typer.Option("--orientation", case_sensitive=False, help="As generated.")
    ] = Orientation.IMAGE,
    mode: Annotated[Mode, typer.Option("--mode", case_sensitive=False)] = Mode.STD,
    max_fps: Annotated[float, typer.Option("--max-fps", min=1.0, help="Frames/s to score at most.")] = 30.0,
    rescans: Annotated[int, typer.Option("--rescans", min=0, max=6, help=(
        "Re-detect the output's pose this many more times, its frames shifted 1-3 px, and report the "
        "spread of the fidelity figures (a single reading moves by several points)."))] = 0,
    settle: Annotated[int | None, typer.Option("--settle", min=0, help=(
        "Frames each pose scan's tracker goes into the clip and back before it measures, so the first "
        "frames are read warm (default 30; 0: it starts cold at the first frame)."))] = None,
    joints: Annotated[Path | None, typer.Option("--joints", help=(
        "The image's joints as given to generate --joints (JSON name -> \\[x, y]); the limb, ghost and "
        "framing measures read the image's limbs there."))] = None,
) -> None:
    """Motion fidelity (with a frozen baseline), detection rate, background, stability and appearance."""
    from motionctl.commands.generate import read_joints
    from motionctl.eval.render import print_report  # imported here: `motionctl --help` stays fast
    from motionctl.eval.runner import evaluate

    try:
        settled = {} if settle is None else {"settle": settle}
        report = evaluate(image, video, output, orientation=orientation, mode=mode, max_fps=max_fps,
                          rescans=rescans, joints=read_joints(joints) if joints else None, **settled)
    except InvalidInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(2) from exc
    except MotionctlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(1) from exc
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        print_report(report)
