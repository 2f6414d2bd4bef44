"""The broad benchmark matrix: which characters meet which drivers, and the drivers cut for it.

Every character in ../shared/testdata (characters/ and the pairs' images) meets two drivers chosen
for it (its first in both orientations, its second in one, alternating), so that every driver — the
seven in drivers/ and the pairs' two videos — is met by four or five characters of different kinds.
std everywhere; PRO_CASES again in pro. The drivers are cut to at most CUT_SECONDS (a window that
shows what the clip is there for: the turn clip's back view, the talk clip's gestures) so that every
case is valid in orientation image (≤ 10 s) and the matrix stays short; the cut copies are made once
with the media layer and kept under bench-results/matrix/drivers/. An image smaller than the service
accepts (a side under 300 px: one of the children's drawings) is enlarged to twice its size once,
its joints with it, under bench-results/matrix/images/.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("MOTIONCTL_TESTDATA", ROOT.parent / "shared" / "testdata"))
JOINTS_DIR = ROOT / "tests" / "data"
CUT_SECONDS = 6.0
ENLARGED_DIR = ROOT / "bench-results" / "matrix" / "images"


@dataclass(frozen=True)
class Driver:
    name: str
    source: str  # relative to the test data
    start: float = 0.0  # the window's start (seconds); it lasts CUT_SECONDS or to the clip's end


DRIVERS: dict[str, Driver] = {d.name: d for d in (
    Driver("pair_dance", "pairs/fullbody_cartoon/video.mp4"),
    Driver("presenter", "pairs/upperbody_elf/video.mp4"),
    Driver("dance_handheld", "drivers/dance_fullbody_outdoor_handheld_24fps.mp4"),
    Driver("turn_backview", "drivers/turn_fullbody_fashion_backview_30fps.mp4", start=2.5),
    Driver("talk_seated_hevc", "drivers/talk_halfbody_seated_hand_gestures_30fps.mp4", start=2.0),
    Driver("balloon_pan", "drivers/dance_balloon_landscape_camera_pan_30fps.mp4"),
    Driver("taiji", "drivers/taiji_fullbody_slow_landscape_24fps.mp4"),
    Driver("two_people", "drivers/two_people_handshake_12fps.mp4"),
    Driver("dribble_follow", "drivers/basketball_dribble_camera_follow_12fps.mp4"),
)}  # fmt: skip

# Character (file stem, or drawn_charN, or the pair's name) -> its image and its two drivers.
CHARACTERS: dict[str, tuple[str, str, str]] = {
    "real_woman_fullbody": ("characters/real_woman_fullbody.jpg", "pair_dance", "dance_handheld"),
    "photo_fullbody_holding_basketball_plainbg": (
        "characters/photo_fullbody_holding_basketball_plainbg.png", "dribble_follow", "turn_backview"),
    "photo_seated_playing_guitar_busybg": (
        "characters/photo_seated_playing_guitar_busybg.jpg", "talk_seated_hevc", "taiji"),
    "photo_vintage_bw_fullbody_library": (
        "characters/photo_vintage_bw_fullbody_library.jpg", "turn_backview", "two_people"),
    "photo_landscape_halfbody_man_outdoor": (
        "characters/photo_landscape_halfbody_man_outdoor.jpg", "balloon_pan", "presenter"),
    "photo_halfbody_hands_clasped_at_chin": (
        "characters/photo_halfbody_hands_clasped_at_chin.jpg", "presenter", "talk_seated_hevc"),
    "realistic_fullbody_hands_on_hips_busybg": (
        "characters/realistic_fullbody_hands_on_hips_busybg.jpg", "dance_handheld", "taiji"),
    "realistic_long_coat_city_night_nopose": (
        "characters/realistic_long_coat_city_night_nopose.jpg", "two_people", "balloon_pan"),
    "anime_long_pink_hair_wide_sleeves": ("characters/anime_long_pink_hair_wide_sleeves.png", "pair_dance", "taiji"),
    "anime_girl_hands_clasped_skirt_nopose": (
        "characters/anime_girl_hands_clasped_skirt_nopose.png", "dance_handheld", "presenter"),
    "cartoon3d_rabbit_long_skirt_hands_folded": (
        "characters/cartoon3d_rabbit_long_skirt_hands_folded.jpg", "turn_backview", "dribble_follow"),
    "cartoon3d_chibi_girl_wide_sleeves_square": (
        "characters/cartoon3d_chibi_girl_wide_sleeves_square.png", "pair_dance", "balloon_pan"),
    "painting_halfbody_hand_on_hip_cavalier_nopose": (
        "characters/painting_halfbody_hand_on_hip_cavalier_nopose.jpg", "presenter", "talk_seated_hevc"),
    "painting_seated_long_dress_wide_sleeves": (
        "characters/painting_seated_long_dress_wide_sleeves.jpg", "talk_seated_hevc", "taiji"),
    "illustration_back_view_long_gown_nopose": (
        "characters/illustration_back_view_long_gown_nopose.jpg", "two_people", "turn_backview"),
    "nonhuman_juice_cup_character_nopose": (
        "characters/nonhuman_juice_cup_character_nopose.png", "dance_handheld", "dribble_follow"),
    "drawn_char1": ("characters/drawn_char1/texture.png", "pair_dance", "two_people"),
    "drawn_char2": ("characters/drawn_char2/texture.png", "dribble_follow", "taiji"),
    "drawn_char5": ("characters/drawn_char5/texture.png", "balloon_pan", "turn_backview"),
    "fullbody_cartoon": ("pairs/fullbody_cartoon/image.png", "pair_dance", "dance_handheld"),
    "upperbody_elf": ("pairs/upperbody_elf/image.jpeg", "presenter", "talk_seated_hevc"),
}

# (character, driver, orientation) rendered again in pro-1080p.
PRO_CASES: tuple[tuple[str, str, str], ...] = (
    ("real_woman_fullbody", "pair_dance", "image"),
    ("fullbody_cartoon", "pair_dance", "video"),
    ("upperbody_elf", "presenter", "image"),
    ("cartoon3d_chibi_girl_wide_sleeves_square", "pair_dance", "video"),
    ("photo_seated_playing_guitar_busybg", "talk_seated_hevc", "image"),
    ("illustration_back_view_long_gown_nopose", "two_people", "video"),
)

# The everyday subset (--quick): a handful of the hardest cases, of different kinds.
QUICK_CASES: tuple[tuple[str, str, str, str], ...] = (
    ("real_woman_fullbody", "pair_dance", "image", "std"),  # arms resting on the shorts
    ("cartoon3d_chibi_girl_wide_sleeves_square", "pair_dance", "image", "std"),  # large head, wide sleeves
    ("illustration_back_view_long_gown_nopose", "two_people", "video", "std"),  # back view; a man walks in
    ("realistic_fullbody_hands_on_hips_busybg", "dance_handheld", "image", "std"),  # hands on hips
    ("nonhuman_juice_cup_character_nopose", "dance_handheld", "video", "std"),  # not a person: joints given
    ("photo_seated_playing_guitar_busybg", "talk_seated_hevc", "video", "std"),  # seated, a guitar over the arms
)


@dataclass(frozen=True)
class Case:
    character: str
    driver: str
    orientation: str
    mode: str

    @property
    def resolution(self) -> str:
        return "1080p" if self.mode == "pro" else "720p"

    @property
    def name(self) -> str:
        return f"{self.character} × {self.driver} {self.orientation} {self.mode}"

    @property
    def slug(self) -> str:
        return f"{self.character}__{self.driver}__{self.orientation}_{self.mode}"

    def image(self) -> Path:
        return character_image(self.character)


def character_image(character: str) -> Path:
    """The character's image, or its enlarged copy where the image is smaller than the service accepts."""
    enlarged = ENLARGED_DIR / f"{character}.png"
    return enlarged if enlarged.is_file() else TESTDATA / CHARACTERS[character][0]


def joints_file(character: str) -> Path | None:
    """tests/data/<character>_joints.json, written by looking at the image, where there is one (for an
    enlarged image, its enlarged copy beside the image)."""
    enlarged = ENLARGED_DIR / f"{character}_joints.json"
    if enlarged.is_file():
        return enlarged
    path = JOINTS_DIR / f"{character}_joints.json"
    return path if path.is_file() else None


def enlarge_small_images() -> None:
    """Twice the size, once, for each image with a side under IMAGE_MIN_SIDE (and its joints file)."""
    import json

    import cv2

    from motionctl.core.limits import IMAGE_MIN_SIDE
    from motionctl.media.decode import load_image

    for name, (image, _, _) in CHARACTERS.items():
        rgb = load_image(TESTDATA / image, field="image").rgb
        if min(rgb.shape[:2]) >= IMAGE_MIN_SIDE or (ENLARGED_DIR / f"{name}.png").is_file():
            continue
        ENLARGED_DIR.mkdir(parents=True, exist_ok=True)
        big = cv2.resize(rgb, (2 * rgb.shape[1], 2 * rgb.shape[0]), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(ENLARGED_DIR / f"{name}.png"), cv2.cvtColor(big, cv2.COLOR_RGB2BGR))
        joints = JOINTS_DIR / f"{name}_joints.json"
        if joints.is_file():
            doubled = {k: [2 * v[0], 2 * v[1]] for k, v in json.loads(joints.read_text()).items()}
            (ENLARGED_DIR / f"{name}_joints.json").write_text(json.dumps(doubled, indent=1))


def all_cases() -> list[Case]:
    cases = []
    for k, (name, (_, first, second)) in enumerate(CHARACTERS.items()):
        cases += [Case(name, first, "image", "std"), Case(name, first, "video", "std"),
                  Case(name, second, "image" if k % 2 else "video", "std")]
    cases += [Case(c, d, o, "pro") for c, d, o in PRO_CASES]
    return cases


def quick_cases() -> list[Case]:
    return [Case(*c) for c in QUICK_CASES]
