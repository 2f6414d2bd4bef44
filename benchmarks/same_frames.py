"""Compare two videos frame by frame, exactly: prints how many decoded frames differ and exits 1 if any.

A refactor of the engine must leave its output unchanged. Render the public pairs with the old and the
new code (same command, same settings), then:

    .venv/bin/python benchmarks/same_frames.py OLD.mp4 NEW.mp4
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from itertools import zip_longest

import av


def frame_digests(path: str) -> list[str]:
    with av.open(path) as container:
        return [hashlib.sha256(f.to_ndarray(format="rgb24").tobytes()).hexdigest()
                for f in container.decode(video=0)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    args = parser.parse_args()
    old, new = frame_digests(args.old), frame_digests(args.new)
    differ = [i for i, (a, b) in enumerate(zip_longest(old, new)) if a != b]
    print(f"{args.new}: {len(new)} frames, {len(old)} before; {len(differ)} differ"
          + (f" (first {differ[:10]})" if differ else ""))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
