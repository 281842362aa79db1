"""Saves the app's icon as resources/gatecancel.png (for the .desktop file and the executable)."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication

from gatecancel_gui.ui.icon import draw

if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    draw(256).save(str(Path(__file__).with_name("gatecancel.png")))
