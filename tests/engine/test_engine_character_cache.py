"""The character cache: an analysed character is kept by what it is made from and used again."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from engine_synth import figure_image, figure_pose, render

from motionctl.core.types import GenerationSpec, Orientation, Resolution
from motionctl.engine.character_cache import SUFFIX, CharacterCache, character_key
from motionctl.engine.config import EngineConfig
from motionctl.engine.pipeline import generate
from motionctl.engine.puppet.character import Character, analyze_character

SIZE = (600, 800)
ELF = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "pairs" / "upperbody_elf"
RAISED = {"left_wrist": (480, 120), "left_elbow": (450, 220)}


@pytest.fixture(scope="module")
def character() -> Character:
    return analyze_character(figure_image(), None, SIZE, pose=figure_pose(), seg_mask=None)


def _png(path: Path, rgb: np.ndarray) -> Path:
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


def test_a_kept_character_draws_the_same_frames(tmp_path: Path, character: Character) -> None:
    cache = CharacterCache(tmp_path)
    cache.put("k", character)
    again = cache.get("k")
    assert again is not None and again is not character
    assert np.array_equal(render(again, RAISED), render(character, RAISED))
    assert cache.get("other") is None


def test_an_entry_that_does_not_load_is_a_miss_and_is_removed(tmp_path: Path, character: Character) -> None:
    cache = CharacterCache(tmp_path)
    cache.put("k", character)
    entry = tmp_path / f"k{SUFFIX}"
    entry.write_bytes(entry.read_bytes()[:1000])  # truncated, as by a full disk
    assert cache.get("k") is None and not entry.exists()
    entry.write_bytes(pickle.dumps({"not": "a character"}))
    assert cache.get("k") is None and not entry.exists()


def test_the_least_recently_used_entries_go_first(tmp_path: Path, character: Character) -> None:
    cache = CharacterCache(tmp_path, max_entries=2)
    cache.put("a", character)
    cache.put("b", character)
    os.utime(tmp_path / f"a{SUFFIX}", (1e9, 1e9))  # a used a while ago, b before that
    os.utime(tmp_path / f"b{SUFFIX}", (9e8, 9e8))
    assert cache.get("b") is not None  # used now: "a" is the least recently used
    cache.put("c", character)
    assert sorted(p.name for p in tmp_path.glob(f"*{SUFFIX}")) == [f"b{SUFFIX}", f"c{SUFFIX}"]
    assert not list(tmp_path.glob(".tmp-*"))  # no temporary file left behind


def test_a_folder_that_cannot_be_written_keeps_nothing_and_fails_nothing(tmp_path: Path,
                                                                        character: Character) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    cache = CharacterCache(blocked / "characters")
    cache.put("k", character)  # no exception: the generation goes on without the cache
    assert cache.get("k") is None


def test_the_key_changes_with_everything_the_character_is_made_from(tmp_path: Path) -> None:
    image = _png(tmp_path / "a.png", figure_image())
    other = _png(tmp_path / "b.png", figure_image()[:, ::-1].copy())
    spec = GenerationSpec(image=image, video=tmp_path / "any.mp4")
    std = EngineConfig.for_mode(spec.mode)
    key = character_key(spec, std)
    assert character_key(GenerationSpec(image=image, video=tmp_path / "other.mp4",
                                        orientation=Orientation.VIDEO), std) == key  # the driver is not in it
    changed = [
        character_key(GenerationSpec(image=other, video=spec.video), std),
        character_key(GenerationSpec(image=image, video=spec.video, resolution=Resolution.P1080), std),
        character_key(GenerationSpec(image=image, video=spec.video, joints={"left_hip": (1.0, 2.0)}), std),
        character_key(spec, EngineConfig(image_pose_side=512)),
        character_key(spec, EngineConfig(expressions=True)),
    ]
    assert len({key, *changed}) == 6


def _corner_colour(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        frame = next(c.decode(video=0)).to_ndarray(format="rgb24")
    return frame[5:25, 5:25].reshape(-1, 3).mean(axis=0)


@pytest.mark.slow
@pytest.mark.skipif(not ELF.is_dir(), reason="../shared/testdata is absent")
def test_a_generation_takes_the_kept_character_instead_of_analysing_the_image(tmp_path: Path) -> None:
    cache = CharacterCache(tmp_path / "characters")
    spec = GenerationSpec(image=ELF / "image.jpeg", video=ELF / "video.mp4", keep_sound=False)
    first = generate(spec, tmp_path / "first.mp4", cache=cache)
    (entry,) = (tmp_path / "characters").glob(f"*{SUFFIX}")
    assert entry.name == f"{character_key(spec, EngineConfig.for_mode(spec.mode))}{SUFFIX}"
    # Paint the kept character's background plate red: a second run that reads the cache shows it.
    kept = cache.get(entry.name.removesuffix(SUFFIX))
    assert kept is not None
    kept.plate[:] = (255, 0, 0)
    cache.put(entry.name.removesuffix(SUFFIX), kept)
    second = generate(spec, tmp_path / "second.mp4", cache=cache)
    assert second.frames == first.frames and second.stage_seconds["character"] < 0.5
    red = _corner_colour(tmp_path / "second.mp4")
    assert red[0] > 200 and red[1] < 60 and red[2] < 60
    assert _corner_colour(tmp_path / "first.mp4")[0] < 100  # the elf's dark cave, as analysed
