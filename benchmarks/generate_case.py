"""One benchmark case: run the engine once, write its GenerationResult as JSON.

Run as a child process by benchmarks/run.py and benchmarks/matrix.py, which read the child's peak
memory (max RSS) and CPU time from wait4. A refusal (the engine's InvalidInput) exits 2 with the
message on stderr, as `motionctl generate` does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from motionctl.core.errors import InvalidInput
from motionctl.core.types import GenerationResult, GenerationSpec, Mode, Orientation, Resolution
from motionctl.engine.pipeline import generate


def _generate(spec: GenerationSpec, output: Path, cache_dir: Path | None) -> GenerationResult:
    if cache_dir:  # imported only when asked: benchmarks/ab.py runs this file against older builds
        from motionctl.engine.character_cache import CharacterCache

        return generate(spec, output, cache=CharacterCache(cache_dir))
    return generate(spec, output)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image", type=Path, required=True)
    p.add_argument("--video", type=Path, required=True)
    p.add_argument("--orientation", choices=[o.value for o in Orientation], required=True)
    p.add_argument("--mode", choices=[m.value for m in Mode], required=True)
    p.add_argument("--resolution", choices=[r.value for r in Resolution], required=True)
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--json-out", type=Path, required=True)
    p.add_argument("--cache-dir", type=Path, help="keep/take the analysed character here")
    p.add_argument("--joints", type=Path, help="the image's joints (JSON), as motionctl generate --joints")
    p.add_argument("--element", type=Path, help="a face bank to bind (motionctl element create --output)")
    a = p.parse_args(argv)
    joints = None
    if a.joints:  # imported only when asked: benchmarks/ab.py runs this file against older builds
        from motionctl.commands.generate import read_joints

        joints = read_joints(a.joints)
    spec = GenerationSpec(
        image=a.image,
        video=a.video,
        orientation=Orientation(a.orientation),
        mode=Mode(a.mode),
        resolution=Resolution(a.resolution),
        keep_sound=True,
        joints=joints,
        **({"element": a.element} if a.element else {}),  # a build from before elements has no field
    )
    start = time.perf_counter()
    try:
        result = _generate(spec, a.output, a.cache_dir)
    except InvalidInput as exc:  # a refusal, as the command line reports it (exit 2)
        print(f"rejected: {exc.message}", file=sys.stderr)
        return 2
    outer = time.perf_counter() - start
    a.json_out.write_text(json.dumps({
        "wall_seconds": result.wall_seconds,
        "process_wall_seconds": outer,
        "duration": result.duration,
        "frames": result.frames,
        "fps": result.fps,
        "width": result.width,
        "height": result.height,
        "realtime_factor": result.realtime_factor,
        "shortened_reason": result.shortened_reason,
        "has_audio": result.has_audio,
        "stage_seconds": result.stage_seconds,
    }, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
