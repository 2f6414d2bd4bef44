"""Analysed characters kept on disk, so a character image used again skips its analysis.

Looking at the image (ten pose views, segmentation, face mesh, in a child process of its own) and
building the puppet (matte, layers, skinning, the filled background plate) cost about 2 CPU-seconds
a generation — a sixth of a 12 s std run on two cores, more of a short clip. A user of the service
animates the same character with many drivers, so the result is kept, keyed by everything it is made
from: the image's bytes, the output resolution, the settings the analysis reads, the given joints, and
the engine's own source (a changed engine never reads an older engine's puppet).

An entry is one pickle, written to a temporary name and renamed, so a reader never sees half of one;
an entry that does not load (truncated, from an incompatible numpy) is a miss and is removed. The
folder holds at most ``max_entries``; the least recently used go first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from motionctl.core.types import GenerationSpec
from motionctl.engine.config import EngineConfig
from motionctl.engine.puppet.character import Character

FORMAT = 1  # bump when an entry's layout changes in a way the source hash would not show
ENGINE_DIR = Path(__file__).resolve().parent
SUFFIX = ".character.pickle"
TMP_PREFIX = ".tmp-"
STALE_TMP_SECONDS = 3600.0


@lru_cache(maxsize=1)
def _engine_fingerprint() -> str:
    """A hash of the engine's source files: the analysis is whatever this code makes of the image."""
    digest = hashlib.sha256()
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        digest.update(str(path.relative_to(ENGINE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def character_key(spec: GenerationSpec, cfg: EngineConfig) -> str:
    """The key of the character ``spec`` asks for under ``cfg``."""
    digest = hashlib.sha256()
    with open(spec.image, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    joints = json.dumps(spec.joints, sort_keys=True) if spec.joints else None
    what = (FORMAT, _engine_fingerprint(), spec.effective_resolution.value, cfg.face_mesh,
            cfg.image_pose_side, joints)
    digest.update(repr(what).encode())
    return digest.hexdigest()[:32]


class CharacterCache:
    def __init__(self, folder: Path | str, max_entries: int = 32) -> None:
        self.folder = Path(folder)
        self.max_entries = max(1, max_entries)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def get(self, key: str) -> Character | None:
        path = self._path(key)
        try:
            with open(path, "rb") as f:
                character = pickle.load(f)
        except FileNotFoundError:
            return None
        except Exception:  # truncated, or written by an incompatible library: a miss, and gone
            _remove(path)
            return None
        if not isinstance(character, Character):
            _remove(path)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
        return character

    def put(self, key: str, character: Character) -> None:
        """Keep ``character``; a folder that cannot be written (full, read-only) keeps nothing, and the
        generation goes on: the cache only ever saves work."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=SUFFIX, dir=self.folder)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(character, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._path(key))
        except OSError:
            _remove(Path(tmp))
            return
        except BaseException:
            _remove(Path(tmp))
            raise
        self._prune()

    def _prune(self) -> None:
        entries = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            try:
                mtime = path.stat().st_mtime
            except OSError:  # another process pruned it
                continue
            if path.name.startswith(TMP_PREFIX):
                if time.time() - mtime > STALE_TMP_SECONDS:  # left by a process killed while writing
                    _remove(path)
                continue
            entries.append((mtime, path))
        for _, path in sorted(entries, reverse=True)[self.max_entries :]:
            _remove(path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
