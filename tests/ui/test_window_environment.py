"""The badge, the title and every confirmation name the environment as the server itself says it: only the
built-in paper exchange is PAPER (green); any other server on loopback is CUSTOM, in a colour that does
not say safe."""

from PySide6.QtGui import QColor

from gatecancel_gui.paper import PaperExchange
from gatecancel_gui.ui.theme import ENVIRONMENT_BADGES

GREEN = QColor(ENVIRONMENT_BADGES["paper"][1])


def badge_colour(win) -> QColor:
    """The colour the badge is painted in (left of its text)."""
    image = win.badge.grab().toImage()
    return image.pixelColor(4, image.height() // 2)


def load(win, qtbot):
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        win.refresh()


def test_an_unknown_loopback_server_is_custom_and_not_green(make_window, qtbot, answers):
    """Defect: a custom profile at http://127.0.0.1:… got the green PAPER badge and 'on PAPER'."""
    with PaperExchange(orders=30, pairs=3) as other:
        other.announce = False  # a Gate-shaped server on this computer that is not the paper exchange
        win = make_window(exchange=other)
        load(win, qtbot)
        assert win.badge.text().strip() == "CUSTOM" and "CUSTOM" in win.windowTitle()
        assert "PAPER" not in win.windowTitle()
        assert badge_colour(win) != GREEN
        win.open_pane.model.set_checked([win.open_pane.model.orders()[0].key], True)
        answers.answer = False
        win.cancel_checked()
        assert " on CUSTOM?" in answers.questions[-1] and "PAPER" not in answers.questions[-1]


def test_the_paper_exchange_is_paper_once_it_has_said_so(window):
    assert window.badge.text().strip() == "PAPER" and "[PAPER]" in window.windowTitle()
    assert badge_colour(window) == GREEN


def test_the_title_names_the_app_once(window, qapp):
    """Defect: the title said 'gatecancel' twice (the window's title, then the application's name that
    the window system appends to it)."""
    qapp.setApplicationDisplayName("gatecancel")
    try:
        title = window.windowTitle()
        shown = title if title.endswith(" — gatecancel") else f"{title} — gatecancel"  # as Qt formats it
        assert shown.count("gatecancel") == 1, shown
        assert "test" in title and "PAPER" in title
    finally:
        qapp.setApplicationDisplayName("")
