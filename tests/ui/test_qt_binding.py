"""Guards against a Qt binding that breaks the interpreter.

PySide6 6.12.0 on Python 3.11 drops a reference to True on every signal emit; after a few thousand
emits the interpreter aborts at exit ("bool_dealloc"). The pin in pyproject.toml avoids it; this test
fails if an upgrade brings it back.
"""

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    ping = Signal()


def test_signal_emit_keeps_the_refcount_of_true():
    emitter = Emitter()
    received = []
    emitter.ping.connect(lambda: received.append(1))
    before = sys.getrefcount(True)
    for _ in range(500):
        emitter.ping.emit()
    assert len(received) == 500
    assert sys.getrefcount(True) - before > -50
