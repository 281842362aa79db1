"""The icon file formats Windows (.ico) and macOS (.icns) want for an executable, written around PNG images:
both formats may hold PNG payloads as they are, so no image library (Pillow) is needed to make them.
Plain Python; make_icon.py draws the PNGs."""

from __future__ import annotations

import struct

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# the PNG-holding ICNS entry types, by the pixel size each holds (the @2x ones are the Retina variants)
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"ic11", 32), (b"ic12", 64), (b"ic07", 128),
    (b"ic08", 256), (b"ic13", 256), (b"ic09", 512), (b"ic14", 512), (b"ic10", 1024),
)
ICNS_SIZES = tuple(sorted({size for _, size in ICNS_TYPES}))


def ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO file: a 6-byte header, a 16-byte entry per image (width and height in one byte each, 0 for
    256), then the PNG data."""
    sizes = sorted(pngs)
    if not sizes or sizes[-1] > 256:
        raise ValueError("an .ico holds images of 1 to 256 pixels")
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, data = b"", b""
    for size in sizes:
        png = pngs[size]
        side = size % 256  # 256 is stored as 0
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    return header + entries + data


def icns(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file: b"icns" and the file's length (big-endian), then per entry its type, its length
    (header included) and a PNG of the size that type holds."""
    body = b""
    for kind, size in ICNS_TYPES:
        if size in pngs:
            body += kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
    if not body:
        raise ValueError(f"an .icns needs images of some of these sizes: {ICNS_SIZES}")
    return b"icns" + struct.pack(">I", 8 + len(body)) + body
