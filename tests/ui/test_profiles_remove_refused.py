"""Removing a profile whose list file cannot be rewritten (Windows: an antivirus holds it) says so in the
dialog's one sentence; it used to escape the dialog as "Unexpected error (ConfigError)"."""

import os

import pytest

from gatecancel_gui.core.store import atomic, credentials
from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.ui.profiles_dialog import ProfilesDialog
from tests.ui.test_profiles_dialog import fill


@pytest.fixture
def dialog(qtbot, tmp_path, mem_keyring):
    dlg = ProfilesDialog(ProfileStore(tmp_path / "profiles.json"))
    qtbot.addWidget(dlg)
    return dlg


def test_a_profile_list_that_cannot_be_rewritten_is_one_sentence_and_the_profile_stays(
        dialog, paper, mem_keyring, monkeypatch):
    fill(dialog, paper)
    assert dialog.save(), dialog.status.text()
    dialog.list.setCurrentRow(0)

    def refused(source, target):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(atomic, "RETRY_DELAYS_S", ())
    monkeypatch.setattr(os, "replace", refused)
    dialog.remove()  # raised ConfigError out of the click before
    assert "could not be saved" in dialog.status.text() and "Removed" not in dialog.status.text()
    assert dialog.list.count() == 1  # the list on screen matches the file, which still holds it
    assert credentials.load("desk") is None  # the secret went first, as asked: removing again finishes the job
    monkeypatch.undo()
    dialog.list.setCurrentRow(0)
    dialog.remove()
    assert dialog.list.count() == 0 and "Removed profile 'desk'" in dialog.status.text()
