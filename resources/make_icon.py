"""Saves the app's icon, drawn in code (gatecancel_gui/ui/icon.py), as files.

    python resources/make_icon.py            resources/gatecancel.png (for the .desktop file)
    python resources/make_icon.py DIR        DIR/gatecancel.png, .ico (Windows) and .icns (macOS)

build.py runs the second form into build/icons before PyInstaller: the executable's icons are made from
the code on every build, so they cannot drift from it, and no image file in a binary format is committed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # icon_formats, beside this file

from icon_formats import ICNS_SIZES, ICO_SIZES, icns, ico
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QGuiApplication

from gatecancel_gui.ui.icon import draw


def png(size: int) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not draw(size).save(buffer, "PNG"):
        raise RuntimeError(f"Qt could not write the {size} px icon as PNG")
    return bytes(buffer.data().data())


def write_icons(folder: Path) -> list[Path]:
    """gatecancel.png (256 px), gatecancel.ico and gatecancel.icns in `folder`; needs a QGuiApplication."""
    folder.mkdir(parents=True, exist_ok=True)
    pngs = {size: png(size) for size in sorted({*ICO_SIZES, *ICNS_SIZES})}
    files = {"gatecancel.png": pngs[256], "gatecancel.ico": ico({s: pngs[s] for s in ICO_SIZES}),
             "gatecancel.icns": icns({s: pngs[s] for s in ICNS_SIZES})}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    if len(sys.argv) > 1:
        for path in write_icons(Path(sys.argv[1])):
            print(path)
    else:
        draw(256).save(str(Path(__file__).with_name("gatecancel.png")))
