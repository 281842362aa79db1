"""The .ico (Windows) and .icns (macOS) icons build.py writes: read back here by their own format rules,
each payload decoded by Qt as an image of the size its entry claims, pixel for pixel what the code draws."""

import struct

import pytest
from PySide6.QtGui import QImage

from gatecancel_gui.ui.icon import draw
from tests.packaging import resource_module

# Apple's PNG-holding icon types and the side each holds (independent of the writer's own table)
ICNS_SIDE = {b"icp4": 16, b"icp5": 32, b"ic11": 32, b"ic12": 64, b"ic07": 128, b"ic08": 256, b"ic13": 256,
             b"ic09": 512, b"ic14": 512, b"ic10": 1024}


@pytest.fixture
def icons(qapp, tmp_path):
    written = resource_module("make_icon").write_icons(tmp_path / "icons")
    assert sorted(p.name for p in written) == ["gatecancel.icns", "gatecancel.ico", "gatecancel.png"]
    return tmp_path / "icons"


def read_ico(data: bytes) -> list[tuple[int, bytes]]:
    """(side, payload) per entry, checking the header and that every entry lies inside the file."""
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1) and count > 0
    images, end_of_entries = [], 6 + 16 * count
    for i in range(count):
        width, height, colours, zero, planes, bits, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        assert width == height and (colours, zero, planes, bits) == (0, 0, 1, 32)
        assert offset >= end_of_entries and offset + length <= len(data)
        images.append((width or 256, data[offset:offset + length]))
    return images


def read_icns(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) per entry, checking the magic, the file's length and that entries tile the rest."""
    assert data[:4] == b"icns" and struct.unpack_from(">I", data, 4)[0] == len(data)
    entries, at = [], 8
    while at < len(data):
        kind, length = data[at:at + 4], struct.unpack_from(">I", data, at + 4)[0]
        assert length > 8 and at + length <= len(data)
        entries.append((kind, data[at + 8:at + length]))
        at += length
    assert at == len(data)
    return entries


def decoded(payload: bytes) -> QImage:
    image = QImage()
    assert image.loadFromData(payload, "PNG"), "the payload is not a PNG Qt can read"
    return image


def same_as_drawn(image: QImage, side: int) -> bool:
    fmt = QImage.Format.Format_ARGB32
    return image.convertToFormat(fmt) == draw(side).convertToFormat(fmt)


def test_the_ico_holds_each_size_as_a_png_of_that_size(icons):
    images = read_ico((icons / "gatecancel.ico").read_bytes())
    assert [side for side, _ in images] == [16, 24, 32, 48, 64, 128, 256]  # 256 was stored as 0
    for side, payload in images:
        image = decoded(payload)
        assert (image.width(), image.height()) == (side, side)
        assert same_as_drawn(image, side), side


def test_the_icns_holds_each_type_as_a_png_of_its_size(icons):
    entries = read_icns((icons / "gatecancel.icns").read_bytes())
    kinds = [kind for kind, _ in entries]
    assert {b"ic07", b"ic08", b"ic09", b"ic10"} <= set(kinds) and len(set(kinds)) == len(kinds)
    for kind, payload in entries:
        side = ICNS_SIDE[kind]
        image = decoded(payload)
        assert (image.width(), image.height()) == (side, side), kind
        assert same_as_drawn(image, side), kind


def test_the_png_is_the_256_px_drawing(icons):
    assert same_as_drawn(decoded((icons / "gatecancel.png").read_bytes()), 256)


def test_a_size_an_ico_cannot_hold_is_refused():
    formats = resource_module("icon_formats")
    with pytest.raises(ValueError, match="1 to 256"):
        formats.ico({512: b"png"})
    with pytest.raises(ValueError, match="needs images"):
        formats.icns({100: b"png"})
