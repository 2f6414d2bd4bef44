"""Carry a source video's sound into one or more outputs, from ``start``, trimmed to the output.

AAC is remuxed packet by packet (no quality loss, ~free); anything else is decoded, resampled to
float planar and encoded to AAC, cut at the exact sample. ``pump(t)`` writes the sound up to output
time ``t`` so audio and video interleave as the video is encoded; ``finish(end)`` writes the rest up
to the final duration. A remuxed packet that starts before ``end`` is kept whole, so a remuxed track
may run at most one AAC packet (~23 ms) past the video. Callers pump a little behind the video
(the encoder stays 0.5 s back) so the final cut is made by ``finish``.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

_REMUX_CODECS = ("aac",)


class AudioTrack:
    """The sound of ``source`` from ``start`` seconds, written into every container of ``outputs``.

    ``start`` is measured like iter_frames' Frame.time, from the source's first video frame, so the
    sound stays in sync even when the audio and video streams of the source start at different times.
    """

    def __init__(self, source: Path, start: float, outputs: list[av.container.OutputContainer]) -> None:
        self.present = False
        self.packets_written = 0
        self._start = max(0.0, start)
        self._outputs = outputs
        self._input = av.open(str(source))
        audio = self._input.streams.audio
        if not audio or not _has_sound_after(self._input, audio[0], self._start):
            self._input.close()
            return
        self._src = audio[0]
        self._remux = self._src.codec_context.name in _REMUX_CODECS
        if self._remux:
            self._streams = [out.add_stream_from_template(self._src) for out in outputs]
        else:
            cc = self._src.codec_context
            self._rate = int(cc.sample_rate) or 48000
            layout = "stereo" if cc.channels >= 2 else "mono"
            self._streams = [out.add_stream("aac", rate=self._rate, layout=layout) for out in outputs]
            for s in self._streams:
                s.codec_context.bit_rate = 128_000
            self._resampler = av.AudioResampler(format="fltp", layout=layout, rate=self._rate)
            self._samples = 0
        tb = self._src.time_base or Fraction(1, 48000)
        self._tb = tb
        self._t0 = _origin(self._input, self._src)
        if self._start > 0:
            self._input.seek(int((self._start + float(self._t0)) / tb), stream=self._src, backward=True)
        self._packets: Iterator[av.Packet] = self._input.demux(self._src)
        self._pending: av.Packet | None = None
        self._end: float | None = None
        self._done = False
        self.present = True

    def _next(self) -> av.Packet | None:
        if self._pending is None and not self._done:
            for pkt in self._packets:
                if pkt.pts is not None and pkt.size:
                    self._pending = pkt
                    break
            else:
                self._done = True
        return self._pending

    def _rel(self, pkt: av.Packet) -> float:
        """Output time of a source packet."""
        return float((pkt.pts or 0) * self._tb - self._t0) - self._start

    def pump(self, until: float) -> None:
        """Write every packet that starts before output time ``until``."""
        if not self.present:
            return
        while (pkt := self._next()) is not None and self._rel(pkt) < until:
            self._pending = None
            if self._remux:
                self._copy(pkt)
            else:
                self._transcode(pkt)

    def finish(self, end: float) -> None:
        """Write the sound up to ``end`` seconds of output, flush encoders, release the source."""
        if not self.present:
            return
        self._end = end
        self.pump(end)
        if not self._remux:
            for stream, out in zip(self._streams, self._outputs, strict=True):
                out.mux(stream.encode(None))
        self.close()

    def close(self) -> None:
        """Release the source (idempotent; also the abort path)."""
        try:
            self._input.close()
        except av.FFmpegError:  # closing a half-read input can only fail harmlessly
            pass

    def _copy(self, pkt: av.Packet) -> None:
        rel = self._rel(pkt)
        if rel < -1e-3:
            return  # before the window (the seek lands on the packet at or before start)
        ticks = int(round(rel / self._tb))
        for stream, out in zip(self._streams, self._outputs, strict=True):
            copy = av.Packet(bytes(pkt))
            copy.pts = copy.dts = ticks
            copy.duration = pkt.duration
            copy.time_base = self._tb
            copy.stream = stream
            out.mux(copy)
        self.packets_written += 1

    def _transcode(self, pkt: av.Packet) -> None:
        end = self._end
        for frame in pkt.decode():
            if not isinstance(frame, av.AudioFrame):
                continue
            for res in self._resampler.resample(frame):
                if res.pts is None or res.time_base is None:
                    continue
                rel = float(res.pts * res.time_base - self._t0) - self._start
                samples = res.to_ndarray()  # (channels, n) float32, planar
                first = max(0, int(round(-rel * self._rate)))
                last = samples.shape[1]
                if end is not None:
                    last = min(last, max(0, int(round((end - rel) * self._rate))))
                if last <= first:
                    continue
                self._encode(np.ascontiguousarray(samples[:, first:last]), res.layout.name)

    def _encode(self, samples: np.ndarray, layout: str) -> None:
        for stream, out in zip(self._streams, self._outputs, strict=True):
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout=layout)
            frame.sample_rate = self._rate
            frame.pts = self._samples
            frame.time_base = Fraction(1, self._rate)
            out.mux(stream.encode(frame))
        self._samples += samples.shape[1]
        self.packets_written += 1


def _has_sound_after(container: av.container.InputContainer, stream: av.audio.AudioStream, start: float) -> bool:
    """False when the audio track ends before ``start`` (nothing to carry over)."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base) > start
    if container.duration:
        return container.duration / av.time_base > start
    return True


def _origin(container: av.container.InputContainer, audio: av.audio.AudioStream) -> Fraction:
    """Source time (s) that output time 0 corresponds to: the first video frame's, as in iter_frames."""
    for stream in (*container.streams.video[:1], audio):
        if stream.start_time is not None and stream.time_base:
            return Fraction(stream.start_time) * stream.time_base
    return Fraction(0)
