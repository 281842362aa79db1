"""Reading the journal when some lines are damaged (a crash mid-write cuts the last one short, a hand edit
leaves a line that is JSON but not a record): those lines are skipped and counted, the rest is shown."""

from gatecancel_gui.core.store.journal import COLUMNS, Journal, journal_rows, unanswered

DAMAGED = (b'{"event": "sent", "request": "a", "orders": [{"currency_pair": "BTC_USDT", "id": "1"}]}\n'
           b'[1, 2]\n'                                       # JSON, not an object
           b'"just text"\n'
           b'{"event": "answer", "request": "a", "status": 200, "results": [7, {"id": "1", "succeeded": true}]}\n'
           b'\xff\xfe not utf-8\n'
           b'{"event": "sent", "request": "b", "orders": "x"}\n'
           b'{"event": "answ')                                # cut short by a crash


def test_damaged_lines_are_skipped_and_counted_and_the_rest_is_read(tmp_path):
    """Defect: a line that was JSON but not an object was a traceback; one truncated line made the whole
    journal unreadable."""
    path = tmp_path / "j.jsonl"
    path.write_bytes(DAMAGED)
    journal = Journal(path)
    contents = journal.contents()
    assert [r["request"] for r in contents.records] == ["a", "a", "b"]
    assert contents.damaged == 4
    assert journal.read() == contents.records
    rows = journal_rows(contents.records)  # odd fields inside a record are shown, not a traceback
    assert [row[COLUMNS.index("Event")] for row in rows] == ["sent", "answer", "sent"]
    assert unanswered(contents.records) == {"b"}


def test_a_missing_journal_is_empty_and_undamaged(tmp_path):
    contents = Journal(tmp_path / "none.jsonl").contents()
    assert contents.records == [] and contents.damaged == 0
