"""When Python's cycle collector may run, decided in one place, on the GUI thread.

10,000 orders are ~200,000 long-lived objects. A full collection while they are built holds the
interpreter for ~40 ms, and afterwards every full collection would scan them again: the window freezes
either way. So the window pauses collection while a load is under way and, once the rows are in the
table, moves them out of the collector's sight (they hold no cycles; reference counting still frees
them). Both are undone: the next load unfreezes the previous rows, and closing the window restores the
collector as it was found."""

from __future__ import annotations

import gc


class CollectorPolicy:
    """Counted pause/resume and one frozen generation at a time. Call from the GUI thread only."""

    def __init__(self) -> None:
        self._pauses = 0
        self._was_enabled = True
        self._frozen = False

    def pause(self) -> None:
        if self._pauses == 0:
            self._was_enabled = gc.isenabled()
            gc.disable()
        self._pauses += 1

    def resume(self) -> None:
        if self._pauses == 0:
            return
        self._pauses -= 1
        if self._pauses == 0 and self._was_enabled:
            gc.enable()

    def freeze_current(self) -> None:
        """Hide what is alive now (the table's rows) from future collections; undo the previous freeze."""
        if self._frozen:
            gc.unfreeze()
        gc.freeze()
        self._frozen = True

    def release(self) -> None:
        """Leave the collector as it was found."""
        while self._pauses:
            self.resume()
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
