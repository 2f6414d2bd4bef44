"""Peak memory of one generation, all its processes together (the caller, driver analysis, encoder).

    .venv/bin/python benchmarks/memory.py --image IMG --video DRIVER [--orientation video] [--mode pro] \
        [--play-to SECONDS]

Prints the peak of the summed resident memory, sampled every 50 ms, and the largest single process.
``--play-to 30`` first writes the driver played forwards, backwards, forwards... to that length (no
cut where it turns; the figure the issue asks for is on a 30 s 1080p driver:
``--image ../shared/testdata/pairs/fullbody_cartoon/image.png --video
../shared/testdata/pairs/fullbody_cartoon/video.mp4 --play-to 30``), in a process of its own: held
here, its frames counted in the measured child, forked from this process (ru_maxrss survives exec).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
from pathlib import Path

from motionctl.media.decode import iter_frames
from motionctl.media.encode import VideoEncoder
from motionctl.media.probe import probe_video

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proctree import run_measured  # noqa: E402


def played_to(video: Path, seconds: float, out: Path) -> Path:
    """``video`` played forwards, backwards, forwards... until ``seconds`` long, without sound."""
    info = probe_video(video, field="video")
    frames = [frame.rgb for frame in iter_frames(video, field="video")]
    bounce = frames + frames[-2:0:-1]
    height, width = frames[0].shape[:2]
    with VideoEncoder(out, width, height, info.fps) as encoder:
        for i in range(round(seconds * info.fps)):
            encoder.write(bounce[i % len(bounce)])
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image", type=Path, required=True)
    p.add_argument("--video", type=Path, required=True)
    p.add_argument("--orientation", default="video")
    p.add_argument("--mode", default="pro")
    p.add_argument("--play-to", type=float, default=None, help="seconds: the driver played back and forth")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if a.play_to:
            driver = Path(tmp) / "driver.mp4"
            writer = multiprocessing.get_context("spawn").Process(target=played_to, args=(a.video, a.play_to, driver))
            writer.start()
            writer.join()
            if writer.exitcode != 0:
                raise SystemExit(f"could not write the {a.play_to} s driver")
            a.video = driver
        log = Path(tmp) / "generate.log"
        wall, largest, peak = run_measured(
            ["-m", "motionctl", "generate", "--image", str(a.image), "--video", str(a.video),
             "--output", str(Path(tmp) / "out.mp4"), "--orientation", a.orientation, "--mode", a.mode], log)
        print(log.read_text().strip().splitlines()[-1])
    print(f"wall {wall:.1f} s, peak memory of all processes together {peak:.0f} MiB, "
          f"largest single process {largest:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
