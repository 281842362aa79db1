"""The application icon, drawn in code (a red stop-sign octagon with a white cross): no image file to
ship or lose. resources/make_icon.py saves it as the PNG the .desktop file and the executable use."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap, QPolygonF


def draw(size: int = 256) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c, r = size / 2, size * 0.47
    octagon = QPolygonF([QPointF(c + r * math.cos(math.pi / 8 + k * math.pi / 4),
                                 c + r * math.sin(math.pi / 8 + k * math.pi / 4)) for k in range(8)])
    p.setPen(QPen(QColor("#ffffff"), size * 0.03))
    p.setBrush(QColor("#c62828"))
    p.drawPolygon(octagon)
    p.setPen(QPen(QColor("#ffffff"), size * 0.11, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    d = size * 0.2
    p.drawLine(QPointF(c - d, c - d), QPointF(c + d, c + d))
    p.drawLine(QPointF(c + d, c - d), QPointF(c - d, c + d))
    p.end()
    return image


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 64, 256):
        icon.addPixmap(QPixmap.fromImage(draw(size)))
    return icon
