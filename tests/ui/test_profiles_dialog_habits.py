"""The profiles dialog as a trader uses it: Enter saves (never wipes), nothing moves or is clipped when a
message appears, and Test connection proves the key can cancel, not only read."""

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.ui.profiles_dialog import ProfilesDialog


@pytest.fixture
def dialog(qtbot, tmp_path, mem_keyring):
    dlg = ProfilesDialog(ProfileStore(tmp_path / "profiles.json"))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def fill(dlg, paper, key=None, name="desk"):
    key = key or paper.main_key
    dlg.name.setText(name)
    dlg.environment.setCurrentIndex(dlg.environment.findData("custom"))
    dlg.url.setText(paper.base_url)
    dlg.key.setText(key.key)
    dlg.secret.setText(key.secret)


def fits(label):
    """The label is tall enough for all of its (wrapped) text: nothing is clipped."""
    return label.height() >= label.heightForWidth(label.width())


def test_enter_in_a_field_saves_and_never_wipes_what_was_typed(dialog, paper, qtbot):
    fill(dialog, paper)
    dialog.name.setFocus()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Saved profile 'desk'" in dialog.status.text(), timeout=5_000)
    assert dialog.name.text() == "desk" and dialog.key.text() == paper.main_key.key
    assert credentials.load("desk").secret == paper.main_key.secret
    assert dialog.btn_save.isDefault()
    others = [dialog.btn_new, dialog.btn_remove, dialog.btn_test, dialog.btn_use,
              *dialog.findChild(QDialogButtonBox).buttons()]
    assert all(isinstance(b, QPushButton) and not b.autoDefault() and not b.isDefault() for b in others)


def test_enter_with_a_field_missing_keeps_the_input_and_says_what_is_missing(dialog, paper, qtbot):
    fill(dialog, paper)
    dialog.secret.clear()
    dialog.secret.setFocus()
    qtbot.keyClick(dialog.secret, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: dialog.status.text() == "Enter the API secret.", timeout=5_000)
    assert dialog.name.text() == "desk" and dialog.key.text() == paper.main_key.key
    assert dialog.url.text() == paper.base_url


def test_a_long_message_moves_no_button_and_nothing_is_clipped(dialog, paper, qtbot):
    assert fits(dialog.keyring_note), (dialog.keyring_note.height(), dialog.keyring_note.text())
    assert fits(dialog.status)
    before = dialog.btn_save.mapTo(dialog, dialog.btn_save.rect().topLeft())
    size = dialog.btn_save.size()
    fill(dialog, paper)
    # A bad custom URL: the dialog's own sentence for it, made long by the URL it quotes.
    dialog.url.setText("ftp://" + "very-long-host-name." * 6 + "example/api/v4")
    dialog.btn_save.click()
    text = dialog.status.text()
    assert "is not a web address" in text
    metrics = dialog.status.fontMetrics()
    assert metrics.horizontalAdvance(text) > 2 * dialog.status.width(), "the message should wrap to 3 lines"
    qtbot.waitUntil(lambda: fits(dialog.status), timeout=2_000)
    assert dialog.btn_save.mapTo(dialog, dialog.btn_save.rect().topLeft()) == before
    assert dialog.btn_save.size() == size
    assert fits(dialog.keyring_note)
    assert dialog.status.wordWrap()


def test_a_message_longer_than_the_room_kept_grows_the_dialog_and_moves_no_button(dialog, paper, qtbot):
    before = dialog.btn_save.mapTo(dialog, dialog.btn_save.rect().topLeft())
    height = dialog.height()
    fill(dialog, paper)
    dialog.url.setText("ftp://" + "very-long-host-name." * 40 + "example/api/v4")
    dialog.btn_save.click()
    qtbot.waitUntil(lambda: fits(dialog.status) and dialog.height() > height, timeout=2_000)
    assert dialog.btn_save.mapTo(dialog, dialog.btn_save.rect().topLeft()) == before
    assert fits(dialog.keyring_note)


def test_a_narrower_dialog_grows_taller_instead_of_clipping(dialog, paper, qtbot):
    fill(dialog, paper)
    dialog.url.setText("ftp://" + "very-long-host-name." * 12 + "example/api/v4")
    dialog.btn_save.click()
    dialog.resize(dialog.minimumWidth(), dialog.height())
    qtbot.waitUntil(lambda: fits(dialog.status) and fits(dialog.keyring_note), timeout=2_000)


def test_without_a_keyring_the_longer_note_is_not_clipped(qtbot, tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        dlg = ProfilesDialog(ProfileStore(tmp_path / "profiles.json"))
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitExposed(dlg)
        assert "No OS keyring" in dlg.keyring_note.text()
        dlg.say("Enter the API key. " * 20, error=True)
        qtbot.waitUntil(lambda: fits(dlg.status), timeout=2_000)
        assert fits(dlg.keyring_note)
    finally:
        keyring.set_keyring(previous)


def test_the_dialog_grows_to_fit_its_content(dialog):
    layout = dialog.layout()
    assert layout.sizeConstraint() == layout.SizeConstraint.SetMinimumSize
    assert dialog.height() >= layout.totalHeightForWidth(dialog.width())
    assert fits(dialog.keyring_note)


def test_test_connection_says_a_trading_key_can_cancel(dialog, paper, qtbot):
    fill(dialog, paper)
    open_before = len(paper.book.open_orders())
    with qtbot.waitSignal(dialog.testFinished, timeout=10_000) as blocker:
        dialog.btn_test.click()
    text = blocker.args[0]
    assert text.startswith("Connected: the key can list and cancel orders;"), text
    assert dialog.status.text() == text
    assert len(paper.book.open_orders()) == open_before  # the probe cancelled nothing


def test_test_connection_says_a_read_only_key_cannot_cancel(dialog, paper, qtbot):
    fill(dialog, paper, key=paper.add_key("read_only"))
    with qtbot.waitSignal(dialog.testFinished, timeout=10_000) as blocker:
        dialog.btn_test.click()
    assert blocker.args[0] == ("Connected, but this key is read-only: it can list orders but cannot cancel "
                               "them. Give it the spot-trade permission on Gate.")
    assert dialog.btn_test.isEnabled()


def test_test_connection_with_a_locked_account_says_so(dialog, paper, qtbot):
    fill(dialog, paper, key=paper.add_key("locked"))
    with qtbot.waitSignal(dialog.testFinished, timeout=10_000) as blocker:
        dialog.btn_test.click()
    assert "locked" in blocker.args[0] and not blocker.args[0].startswith("Connected")
