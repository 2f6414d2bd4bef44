"""Runs submit-time intake (download + media validation) in a pool of separate processes.

Validation decodes untrusted media: in other processes it neither holds the API's GIL (so queries
stay fast while uploads are checked) nor takes the API down if a decoder crashes. Errors cross
the process boundary as plain tuples and are rebuilt as the same MotionctlError subclass.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from motionctl.core import errors
from motionctl.core.errors import MotionctlError, Unavailable
from motionctl.settings import Settings
from motionctl.storage import LocalStorage, UrlSigner
from motionctl.storage.signing import load_or_create_secret
from motionctl.tasks.download import allow_all, public_only
from motionctl.tasks.intake import Intake

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
    if settings.intake_nice:
        os.nice(settings.intake_nice)
    _intake = make_intake(settings)


Inputs = tuple[str, str, float]  # image key, video key, the video's seconds


def fetch_inputs(intake: Intake, image: str, video: str, orientation: str, own: tuple[str, ...]) -> Inputs:
    image_key = intake.image(image, own_bases=own)
    video_key = intake.video(video, orientation, own_bases=own)
    return image_key, video_key, intake.video_seconds(video_key)


def _run(image: str, video: str, orientation: str, own: tuple[str, ...]) -> tuple[Any, ...]:
    if _intake is None:  # pragma: no cover - the initializer always ran
        raise RuntimeError("intake process not initialised")
    try:
        return ("ok", *fetch_inputs(_intake, image, video, orientation, own))
    except MotionctlError as exc:
        return ("error", type(exc).__name__, exc.message, exc.code, exc.http_status, exc.field, exc.rule)


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
        return fetch_inputs(self.intake, image, video, orientation, own)

    def close(self) -> None:
        pass


class IntakePool:
    def __init__(self, settings: Settings, processes: int) -> None:
        self._kw = settings.model_dump(mode="json")
        self._processes = processes
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=multiprocessing.get_context("spawn"),  # the API process has threads: no fork
            initializer=_init,
            initargs=(self._kw,),
        )

    def fetch(self, image: str, video: str, orientation: str, own: tuple[str, ...]) -> Inputs:
        pool = self._pool
        try:
            result = pool.submit(_run, image, video, orientation, own).result()
        except BrokenProcessPool:
            if self._pool is pool:  # replace it once; later requests get a working pool
                self._pool = self._new_pool()
            raise Unavailable("intake: a validation process died; retry the request") from None
        if result[0] == "ok":
            return str(result[1]), str(result[2]), float(result[3])
        raise _rebuild(*result[1:])

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
