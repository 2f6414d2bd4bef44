"""A driving clip cut to a window, with the media layer (decode, H.264 + the source's sound).

The matrix (benchmarks/matrix.py) cuts every long driver once so that each case is valid in
orientation image (≤ 10 s) and short; the copy is kept and made again only when missing or older
than its source. Frames keep the source's size and rate; crf 17 keeps the picture the pose
detector sees as the source's. One encoder thread: with x264's frame threads at preset medium a
cut's pixels depend on the machine's load, and two matrix runs would score different drivers.
"""

from __future__ import annotations

from pathlib import Path

from motionctl.media.decode import iter_frames
from motionctl.media.encode import VideoEncoder
from motionctl.media.probe import probe_video

CRF = 17


def cut(source: Path, dest: Path, start: float, seconds: float) -> Path:
    """``source`` from ``start`` for at most ``seconds`` (the whole clip when it is that short) at ``dest``."""
    if dest.is_file() and dest.stat().st_mtime >= source.stat().st_mtime:
        return dest
    info = probe_video(source, field="video")
    if start <= 0 and info.duration <= seconds + 1e-6:
        return source  # nothing to cut
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part.mp4")
    end = min(info.duration, start + seconds)
    with VideoEncoder(tmp, info.width, info.height, info.fps, crf=CRF, preset="medium", threads=1,
                      audio_source=source if info.has_audio else None, audio_start=start,
                      audio_duration=end - start) as enc:  # fmt: skip
        for frame in iter_frames(source, max_fps=info.fps, start=start, end=end, field="video"):
            enc.write(frame.rgb)
    tmp.replace(dest)
    return dest
