"""The profile dialog's Test connection against a server that is not Gate says what every command says."""

import pytest

from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.ui.profiles_dialog import ProfilesDialog
from tests.not_gate import not_gate
from tests.ui.conftest import fill_custom_profile


@pytest.mark.parametrize("kind", ["files", pytest.param("html", marks=pytest.mark.slow)])
def test_test_connection_to_a_server_that_is_not_gate(kind, qtbot, tmp_path, mem_keyring):
    """Defect: it said "Could not reach the exchange… the answer was not JSON"."""
    dialog = ProfilesDialog(ProfileStore(tmp_path / "profiles.json"))
    qtbot.addWidget(dialog)
    with not_gate(kind, str(tmp_path)) as url:
        fill_custom_profile(dialog, url, "k" * 32, "s" * 64)
        with qtbot.waitSignal(dialog.testFinished, timeout=30_000) as blocker:
            dialog.btn_test.click()
    assert blocker.args[0].startswith("The server at this address did not answer like Gate's API"), blocker.args[0]
