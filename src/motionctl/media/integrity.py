"""Prove an image file is complete and uncorrupted, in bounded memory.

PNG: every chunk's CRC is checked, the IDAT zlib stream is inflated piecewise (never more than
``_INFLATE_STEP`` bytes at a time) and must end exactly where IHDR says the picture ends, and IEND must
be present. This catches truncation, bit flips and inflated-size lies without holding the pixels.
JPEG: decoded by libjpeg at 1/8 scale (DCT scaling still reads every entropy-coded byte, so a cut or
broken file is caught) — a few MB at most even for the largest allowed picture.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import Image, JpegImagePlugin

_INFLATE_STEP = 1 << 20
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


class CorruptImage(ValueError):
    """The file is truncated or corrupt; the message says where."""


def png_raw_size(width: int, height: int, bit_depth: int, color_type: int, interlace: int) -> int:
    """Bytes of filtered scanlines the IDAT stream must inflate to (PNG spec, section 7/8)."""
    if color_type not in _CHANNELS or bit_depth not in (1, 2, 4, 8, 16):
        raise CorruptImage(f"invalid IHDR (color type {color_type}, bit depth {bit_depth})")
    bits = _CHANNELS[color_type] * bit_depth
    passes = _ADAM7 if interlace == 1 else ((0, 0, 1, 1),)
    total = 0
    for x0, y0, dx, dy in passes:
        pw = (width - x0 + dx - 1) // dx if width > x0 else 0
        ph = (height - y0 + dy - 1) // dy if height > y0 else 0
        if pw and ph:
            total += ph * (1 + (pw * bits + 7) // 8)
    return total


def check_png(path: Path) -> None:
    """Raise CorruptImage unless the PNG's chunks, CRCs and pixel stream are all complete."""
    with open(path, "rb") as fh:
        if fh.read(8) != b"\x89PNG\r\n\x1a\n":
            raise CorruptImage("missing PNG signature")
        expected = -1
        inflater = zlib.decompressobj()
        inflated = 0
        first = True
        while True:
            head = fh.read(8)
            if len(head) < 8:
                raise CorruptImage("file ends before the IEND chunk (truncated)")
            length, ctype = struct.unpack(">I4s", head)
            if length > 0x7FFFFFFF:
                raise CorruptImage(f"chunk {ctype!r} claims {length} bytes")
            data = fh.read(length)
            crc = fh.read(4)
            if len(data) < length or len(crc) < 4:
                raise CorruptImage(f"file ends inside the {ctype.decode('latin-1')} chunk (truncated)")
            if zlib.crc32(ctype + data) != struct.unpack(">I", crc)[0]:
                raise CorruptImage(f"CRC mismatch in the {ctype.decode('latin-1')} chunk (corrupt)")
            if first:
                if ctype != b"IHDR" or length != 13:
                    raise CorruptImage("first chunk is not IHDR")
                w, h, depth, color, _c, _f, interlace = struct.unpack(">IIBBBBB", data)
                expected = png_raw_size(w, h, depth, color, interlace)
                first = False
            elif ctype == b"IDAT":
                inflated += _inflate(inflater, data, expected - inflated)
            elif ctype == b"IEND":
                break
        if inflated < expected or not inflater.eof:
            raise CorruptImage(f"pixel data ends early ({inflated} of {expected} bytes)")


def _inflate(inflater: zlib._Decompress, data: bytes, room: int) -> int:
    """Inflate ``data`` in bounded steps; return the byte count. Fail if it overflows ``room``."""
    produced = 0
    try:
        while data and not inflater.eof:
            out = inflater.decompress(data, _INFLATE_STEP)
            produced += len(out)
            if produced > room + _INFLATE_STEP:
                raise CorruptImage("pixel data inflates beyond the size in IHDR")
            data = inflater.unconsumed_tail
    except zlib.error as exc:
        raise CorruptImage(f"pixel data is corrupt ({exc})") from exc
    return produced


def check_jpeg(path: Path) -> None:
    """Raise CorruptImage unless libjpeg reads the whole JPEG (decoded at 1/8 scale)."""
    try:
        with open(path, "rb") as fh:
            im = JpegImagePlugin.JpegImageFile(fh)
            w, h = im.size
            im.draft("RGB", (max(1, w // 8), max(1, h // 8)))
            im.load()
            im.close()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise CorruptImage(f"{exc}") from exc


def check_image(path: Path, fmt: str) -> None:
    """Check a PNG or JPEG (``fmt`` from the magic bytes) for truncation and corruption."""
    if fmt == "png":
        check_png(path)
    elif fmt == "jpeg":
        check_jpeg(path)
    else:
        raise CorruptImage(f"unsupported format {fmt}")
