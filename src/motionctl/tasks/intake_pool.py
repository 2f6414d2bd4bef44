"""Runs submit-time intake: downloads in the calling thread, media validation in a pool of
separate processes.

Validation decodes untrusted media: in other processes it neither holds the API's GIL (so queries
stay fast while uploads are checked) nor takes the API down if a decoder crashes. Downloads only
wait on the network, so they stay in the submitting request's thread: a sender that trickles bytes
holds that one thread, never a validation process other accounts' submissions need. Errors cross
the process boundary as plain tuples and are rebuilt as the same MotionctlError subclass.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from motionctl.core import errors
from motionctl.core.errors import MotionctlError, Unavailable
from motionctl.settings import Settings
from motionctl.storage import LocalStorage, UrlSigner
from motionctl.storage.signing import load_or_create_secret
from motionctl.tasks.guard import allow_all, public_only
from motionctl.tasks.intake import Fetched, Intake
from motionctl.tasks.supervisor import lower_priority

_intake: Intake | None = None


def make_intake(settings: Settings) -> Intake:
    signer = UrlSigner(load_or_create_secret(settings.data_dir / "url_secret.key"), settings.url_ttl_seconds)
    return Intake(
        LocalStorage(settings.data_dir / "blobs"),
        signer,
        allow_all if settings.allow_private_urls else public_only,
        max_seconds=settings.download_max_seconds,
        max_redirects=settings.download_max_redirects,
        min_coverage=settings.min_character_coverage,
    )


def _init(settings_kw: dict[str, Any]) -> None:
    global _intake
    settings = Settings(**settings_kw)
    lower_priority(settings.intake_nice, idle=False)
    _intake = make_intake(settings)


Inputs = tuple[str, str, float]  # image key, video key, the video's seconds


def fetch_both(
    intake: Intake, image: str, video: str, orientation: str, own: tuple[str, ...]
) -> tuple[Fetched, Fetched]:
    """Both inputs on local disk (or found stored); nothing left behind when either fails."""
    first = intake.fetch_image(image, own_bases=own)
    try:
        return first, intake.fetch_video(video, orientation, own_bases=own)
    except BaseException:
        first.discard()
        raise


def check_both(intake: Intake, image: Fetched, video: Fetched) -> Inputs:
    try:
        image_key, video_key = intake.check(image), intake.check(video)
        return image_key, video_key, intake.video_seconds(video_key)
    finally:
        image.discard()
        video.discard()


def _run(*items: Fetched) -> tuple[Any, ...]:
    """Check and store the items; for an (image, video) pair also the video's seconds."""
    if _intake is None:  # pragma: no cover - the initializer always ran
        raise RuntimeError("intake process not initialised")
    try:
        if len(items) == 2:
            return ("ok", *check_both(_intake, items[0], items[1]))
        return ("ok", *(_intake.check(item) for item in items))
    except MotionctlError as exc:
        return ("error", type(exc).__name__, exc.message, exc.code, exc.http_status, exc.field, exc.rule)


def _warm() -> None:
    """Load the media validators once per process, before the first input arrives."""
    import motionctl.media.validate  # noqa: F401


def _rebuild(kind: str, message: str, code: int, status: int, field: str | None, rule: str | None) -> MotionctlError:
    cls = getattr(errors, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, MotionctlError)):
        cls = MotionctlError
    exc = cls(message, field=field, rule=rule, code=code)
    exc.http_status = status
    return exc


class LocalIntake:
    """The same interface, run in the calling thread (tests, `intake_processes=0`)."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    def fetch(self, image: str, video: str, orientation: str, own: tuple[str, ...]) -> Inputs:
        return check_both(self.intake, *fetch_both(self.intake, image, video, orientation, own))

    def check(self, item: Fetched) -> str:
        return self.intake.check(item)

    def close(self) -> None:
        pass


class IntakePool:
    def __init__(self, settings: Settings, processes: int, intake: Intake | None = None) -> None:
        self.intake = intake or make_intake(settings)  # downloads, in the calling thread
        self._kw = settings.model_dump(mode="json")
        self._processes = processes
        self._pool = self._new_pool()
        for _ in range(processes):  # start them now, media libraries loaded: the first upload is not slower
            self._pool.submit(_warm)

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=multiprocessing.get_context("spawn"),  # the API process has threads: no fork
            initializer=_init,
            initargs=(self._kw,),
        )

    def fetch(self, image: str, video: str, orientation: str, own: tuple[str, ...]) -> Inputs:
        image_key, video_key, seconds = self._check(*fetch_both(self.intake, image, video, orientation, own))
        return str(image_key), str(video_key), float(seconds)

    def check(self, item: Fetched) -> str:
        """Validate and store one fetched file (an upload) in a validation process."""
        return str(self._check(item)[0])

    def _check(self, *items: Fetched) -> tuple[Any, ...]:
        pool = self._pool
        try:
            result = pool.submit(_run, *items).result()
        except BrokenProcessPool:
            if self._pool is pool:  # replace it once; later requests get a working pool
                self._pool = self._new_pool()
            raise Unavailable("intake: a validation process died; retry the request") from None
        finally:
            for item in items:
                item.discard()
        if result[0] == "ok":
            return tuple(result[1:])
        raise _rebuild(*result[1:])

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
