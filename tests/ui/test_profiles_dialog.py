"""Profiles: secrets only in the OS keyring; the dialog says where; no keyring means session-only."""

import json

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QSettings

from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.ui.profiles_dialog import ProfilesDialog


@pytest.fixture
def dialog(qtbot, tmp_path, mem_keyring):
    store = ProfileStore(tmp_path / "profiles.json")
    dlg = ProfilesDialog(store)
    qtbot.addWidget(dlg)
    return dlg


def fill(dlg, paper, name="desk", secret=None):
    dlg.name.setText(name)
    dlg.environment.setCurrentIndex(dlg.environment.findData("custom"))
    dlg.url.setText(paper.base_url)
    dlg.key.setText("  " + paper.main_key.key + "\n")  # pasted with spaces and a newline: trimmed
    dlg.secret.setText(secret or paper.main_key.secret)


def test_save_puts_the_secret_in_the_keyring_only(dialog, paper, mem_keyring, tmp_path):
    fill(dialog, paper)
    assert "MemoryKeyring" in dialog.keyring_note.text()
    assert dialog.save(), dialog.status.text()
    stored = credentials.load("desk")
    assert stored.key == paper.main_key.key and stored.secret == paper.main_key.secret
    on_disk = (tmp_path / "profiles.json").read_text(encoding="utf-8")
    assert paper.main_key.secret not in on_disk and paper.main_key.key not in on_disk
    assert json.loads(on_disk)[0]["custom_url"] == paper.base_url
    QSettings().sync()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert paper.main_key.secret.encode() not in path.read_bytes(), path


def test_test_connection_reports_success_and_failure(dialog, paper, mem_keyring, qtbot):
    fill(dialog, paper)
    with qtbot.waitSignal(dialog.testFinished, timeout=10_000) as blocker:
        dialog.btn_test.click()
    assert blocker.args[0].startswith("Connected: the key can list and cancel orders")
    fill(dialog, paper, secret="wrong-secret")
    with qtbot.waitSignal(dialog.testFinished, timeout=10_000) as blocker:
        dialog.btn_test.click()
    assert "rejected the API key or secret" in blocker.args[0]


def test_remove_deletes_the_secret_from_the_keyring(dialog, paper, mem_keyring):
    fill(dialog, paper)
    assert dialog.save()
    dialog.list.setCurrentRow(0)
    dialog.remove()
    assert credentials.load("desk") is None and dialog.store.all() == []
    assert mem_keyring.store == {}


def test_key_with_inner_spaces_is_refused_with_a_reason(dialog, paper, mem_keyring):
    fill(dialog, paper)
    dialog.key.setText("abcd efgh")
    assert not dialog.save()
    assert "spaces or line breaks" in dialog.status.text()
    assert mem_keyring.store == {}


def test_plain_http_to_a_remote_host_is_refused(dialog, paper, mem_keyring):
    fill(dialog, paper)
    dialog.url.setText("http://example.com/api/v4")
    assert not dialog.save()
    assert "only allowed to this computer" in dialog.status.text()
    assert dialog.store.all() == [] and mem_keyring.store == {}


def test_no_keyring_offers_session_only_and_writes_nothing(qtbot, paper, tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        dlg = ProfilesDialog(ProfileStore(tmp_path / "profiles.json"))
        qtbot.addWidget(dlg)
        assert "No OS keyring is available" in dlg.keyring_note.text()
        assert dlg.session_only.isChecked() and not dlg.session_only.isEnabled()
        fill(dlg, paper)
        with qtbot.waitSignal(dlg.sessionChosen, timeout=5_000) as blocker:
            dlg.use()
        session = blocker.args[0]
        assert session.client.credentials.secret == paper.main_key.secret
        session.close()
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert paper.main_key.secret.encode() not in path.read_bytes(), path
    finally:
        keyring.set_keyring(previous)
