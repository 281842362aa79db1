"""Details of the window a trader trips over: the journal's environment column and room for its Result,
'Open folder' without a file manager, the Pair list following the Market filter, the dead-man switch's
spot scope named as such, a stop order's whole type in a tooltip, and a CSV Value a spreadsheet can add up."""

import csv
import json
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.store.journal import COLUMNS, Journal
from gatecancel_gui.paper import PaperExchange
from gatecancel_gui.ui.journal_dialog import JournalDialog
from gatecancel_gui.ui.order_rows import COLUMN
from tests.ui.test_window import run_cancel
from tests.ui.test_window_futures import load

ENV = COLUMNS.index("Environment")


def test_the_journal_says_which_environment_each_line_was_sent_to(window, qtbot, tmp_path):
    """Defect: no environment column: paper and live lines mixed in one table."""
    old = tmp_path / "journal.jsonl"  # what an older version wrote: no environment
    old.write_text(json.dumps({"time": "2026-01-01T00:00:00.000Z", "event": "sent", "request": "aaa",
                               "method": "POST", "endpoint": "/spot/cancel_batch_orders", "orders": []}) + "\n"
                   + json.dumps({"time": "2026-01-01T00:00:00.100Z", "event": "answer", "request": "aaa",
                                 "status": 200, "latency_ms": 3.0, "results": []}) + "\n", encoding="utf-8")
    window.open_pane.model.set_checked([window.open_pane.model.orders()[0].key], True)
    run_cancel(window, qtbot)
    dialog = JournalDialog(window.journal)
    qtbot.addWidget(dialog)
    dialog.show()
    rows = [[dialog.model.index(r, c).data() for c in range(len(COLUMNS))] for r in range(dialog.model.rowCount())]
    new = [row for row in rows if row[COLUMNS.index("Request")] != "aaa"]
    assert new and {row[ENV] for row in new} == {"paper"}  # the answer line too, from its request
    assert {row[ENV] for row in rows if row[COLUMNS.index("Request")] == "aaa"} == {"—"}
    result = COLUMNS.index("Result")
    assert dialog.view.columnWidth(result) >= 280  # it was squeezed to ~100 px


def test_open_folder_without_a_file_manager_says_where_the_folder_is(qtbot, tmp_path, monkeypatch):
    """Defect: 'Open folder' did nothing and said nothing without a file manager."""
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    dialog = JournalDialog(Journal(tmp_path / "j" / "journal.jsonl"))
    qtbot.addWidget(dialog)
    assert dialog.open_folder() is False
    assert str(tmp_path / "j") in dialog.where.text() and "file manager" in dialog.where.text()


def test_the_pair_list_follows_the_market_filter(make_window, qtbot):
    """Defect: choosing a market left every market's pairs and contracts in the Pair list."""
    with PaperExchange(orders=60, pairs=4, futures_orders=80) as ex:
        win = make_window(exchange=ex)
        load(win, qtbot)
        pane = win.open_pane
        pane.market_filter.setCurrentIndex(pane.market_filter.findData(Market.FUTURES_BTC.value))
        listed = {pane.pair_filter.itemText(i) for i in range(1, pane.pair_filter.count())}
        assert listed == {o.instrument for o in win.open_pane.model.orders() if o.market is Market.FUTURES_BTC}
        pane.market_filter.setCurrentIndex(0)
        assert pane.pair_filter.count() - 1 == len({o.instrument for o in win.open_pane.model.orders()})


def test_the_dead_man_switchs_spot_scope_says_spot(window):
    """Defect: 'All pairs' meant every spot pair only (each market has its own switch)."""
    assert window.risk.switch_scope.itemText(0) == "All spot pairs"


def test_a_stop_orders_type_shows_whole_in_its_tooltip(make_window, qtbot):
    with PaperExchange(orders=10, pairs=2, heavy_pairs=0, price_orders=4) as ex:
        win = make_window(exchange=ex)
        load(win, qtbot)
        view = win.stop_pane.view
        index = view.model().index(0, COLUMN["type"])
        text = index.data()
        assert "stop" in text and index.data(Qt.ItemDataRole.ToolTipRole) == text
        assert view.columnWidth(COLUMN["type"]) >= view.fontMetrics().horizontalAdvance(text)


def test_the_csv_value_is_a_plain_number(window, tmp_path):
    """Defect: the Value column was text ('1,234.56 USDT'), not a number."""
    path = tmp_path / "orders.csv"
    window.choose_path = lambda *args: str(path)
    window.export_csv()
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(Decimal(row["Value"]) >= 0 for row in rows)
    first = next(o for o in window.open_pane.model.orders() if o.id == rows[0]["Order id"])
    assert Decimal(rows[0]["Value"]) == first.quote_value
