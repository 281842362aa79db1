"""The window's Journal dialog with damaged lines: the rest is shown and the dialog says how many lines
were skipped (it refused the whole journal for one line cut short by a crash)."""

from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.ui.journal_dialog import JournalDialog


def test_the_journal_dialog_shows_the_readable_lines_and_counts_the_damaged_ones(qtbot, tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text('{"event": "sent", "request": "a", "orders": []}\n"text"\n'
                    '{"event": "answer", "request": "a", "status": 200, "results": []}\n{"event": "se',
                    encoding="utf-8")
    dialog = JournalDialog(Journal(path))
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 2
    assert "2 damaged lines skipped" in dialog.where.text() and "2 lines in" in dialog.where.text()


def test_an_undamaged_journal_says_nothing_of_damage(qtbot, tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text('{"event": "sent", "request": "a", "orders": []}\n', encoding="utf-8")
    dialog = JournalDialog(Journal(path))
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 1 and "skipped" not in dialog.where.text()
