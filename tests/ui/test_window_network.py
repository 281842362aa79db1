"""The window over a real network's shape: TLS with HTTP/2, a round trip on every byte, and a server that
drops connections left idle. The connection the window keeps warm is replaced before the trader needs it,
so a cancel after the drop costs nothing visible: no new connection, no request resent, every row true."""

from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.paper import NetworkShape, PaperExchange
from gatecancel_gui.ui.main_window import MainWindow
from tests.conftest import client_for
from tests.ui.conftest import shut
from tests.ui.test_window import assert_rows_match_exchange


def test_a_connection_dropped_while_the_window_sits_idle_costs_the_cancel_nothing(qtbot, answers, tmp_path):
    # the warmer is slower than the server's idle timeout here, so a drop happens; after each new warm-up
    # the connection has a second before it is dropped again: the cancel goes in that second
    shape = NetworkShape(tls=True, http2=True, rtt_ms=20, idle_close_s=1.0)
    with PaperExchange(orders=120, pairs=4, network=shape) as ex:
        session = Session("desk", client_for(ex, network=NetworkSettings(ca_file=ex.ca_file)))
        # no live stream: its listings and socket would open connections of their own through the proxy
        win = MainWindow(session, confirm=answers, journal=Journal(tmp_path / "journal.jsonl"), warm_every_s=1.5,
                         live=False)
        qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
        win.show()
        with qtbot.waitSignal(win.loadFinished, timeout=10_000):
            win.refresh()
        proxy = ex.network.proxy
        # the window sat idle long enough for the server to drop a connection, and the warmer opened another
        qtbot.waitUntil(lambda: proxy.connections_dropped_idle >= 1 and win.sessions.warmer.rounds >= 2, timeout=15_000)
        qtbot.waitUntil(lambda: win.sessions.warmer.warmed.is_set(), timeout=5_000)
        opened, requests = proxy.connections_opened, len(ex.cancel_requests())
        ids = [o.id for o in win.open_pane.model.orders()]
        win.open_pane.model.set_checked(ids, True)
        with qtbot.waitSignal(win.cancelFinished, timeout=20_000) as done:
            win.commands["cancel"].trigger()
        report = done.args[0]
        assert proxy.connections_opened == opened  # the cancel found a warm connection
        assert report.requests_sent == len(ex.cancel_requests()) - requests == 6  # 120 orders: 6 batches, none resent
        assert_rows_match_exchange(win, ex, ids)
        assert win.status.message.text().startswith("Done:")
        session.close()
