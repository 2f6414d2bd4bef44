"""Identify a file's real format from its first bytes, whatever its name says.

Extensions lie (a GIF renamed .png, a WebM renamed .mp4); the decoders would sometimes accept the
lie and fail later, so the format a user gave is checked against the magic bytes first.
"""

from __future__ import annotations

from pathlib import Path

HEAD_BYTES = 64

# (offset, magic, format name) checked in order; the ISO-BMFF family is handled separately.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"GIF87a", "gif"),
    (0, b"GIF89a", "gif"),
    (0, b"BM", "bmp"),
    (0, b"II*\x00", "tiff"),
    (0, b"MM\x00*", "tiff"),
    (0, b"\x1a\x45\xdf\xa3", "webm/matroska"),
    (0, b"%PDF", "pdf"),
    (0, b"PK\x03\x04", "zip"),
    (0, b"\x00\x00\x01\xba", "mpeg-ps"),
    (0, b"OggS", "ogg"),
    (0, b"fLaC", "flac"),
    (0, b"ID3", "mp3"),
    (0, b"\x00\x00\x00\x0cjP  ", "jpeg2000"),
    (0, b"\xff\x0a", "jpeg-xl"),
)

# Top-level QuickTime atoms that may open a .mov written without an ftyp box (old QuickTime).
_QT_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def sniff_bytes(head: bytes) -> str:
    """Name the format of a file from its first bytes: 'png', 'jpeg', 'mp4', 'mov', 'gif', ...

    Returns 'unknown' when nothing matches and 'empty' for an empty file.
    """
    if not head:
        return "empty"
    if head[:4] == b"RIFF" and len(head) >= 12:
        kind = head[8:12]
        return {b"WEBP": "webp", b"AVI ": "avi", b"WAVE": "wav"}.get(kind, "riff")
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "mov"
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc", b"hevx"):
            return "heif"
        if brand in (b"avif", b"avis"):
            return "avif"
        if brand.startswith(b"M4A") or brand == b"M4B ":
            return "m4a"
        if brand.startswith(b"3g"):
            return "3gp"
        return "mp4"
    if len(head) >= 8 and head[4:8] in _QT_ATOMS:
        return "mov"
    for offset, magic, name in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return name
    return "unknown"


def sniff(path: Path) -> str:
    """Name the real format of the file at ``path`` (see :func:`sniff_bytes`)."""
    with open(path, "rb") as fh:
        return sniff_bytes(fh.read(HEAD_BYTES))
