"""The OS keyring's own errors (issue 22, item 8): Windows' pywintypes.error and the macOS Keychain's are not
keyring.errors.KeyringError, yet each is a keyring failure said in one sentence; and on macOS only a real
"not found" counts as already deleted (a refused delete must not look done)."""

import json

import keyring
import pytest

from gatecancel_gui.core.store import credentials, proxy_login
from gatecancel_gui.core.store.credentials import KEYRING_SERVICE, Credentials, KeyringUnavailable
from gatecancel_gui.core.store.profiles import Profile, ProfileStore
from tests.cli.runner import run_main
from tests.keyring_fakes import MacKeychain, MacKeychainRaw, NoLogonSession

SECRET = "s3cr3t-value-that-must-stay-in-the-keyring"


def test_a_windows_error_on_reading_is_a_sentence(use_backend):
    use_backend(NoLogonSession())
    with pytest.raises(KeyringUnavailable) as info:
        credentials.load("desk")
    text = str(info.value)
    assert "could not be read" in text and "1312: A specified logon session does not exist" in text, text
    with pytest.raises(KeyringUnavailable):
        proxy_login.load("desk")


def test_a_windows_error_on_saving_and_deleting_is_a_sentence(use_backend):
    use_backend(NoLogonSession())
    with pytest.raises(KeyringUnavailable) as info:
        credentials.save("desk", Credentials("abcd1234", SECRET))
    assert "refused to store the secret: FakeWinError 1312" in str(info.value) and SECRET not in str(info.value)
    with pytest.raises(KeyringUnavailable, match="refused to store the proxy password"):
        proxy_login.save("desk", "trader", SECRET)
    with pytest.raises(KeyringUnavailable, match="refused to delete the secret: FakeWinError 1312"):
        credentials.delete("desk")


def test_the_command_line_says_a_windows_keyring_error_in_one_sentence(use_backend, isolated_dirs):
    ProfileStore().put(Profile("desk", environment="testnet"))
    use_backend(NoLogonSession())
    result = run_main("orders", "--profile", "desk")
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "OS keyring" in result.stderr and "1312" in result.stderr


def test_macos_not_found_counts_as_deleted(use_backend):
    use_backend(MacKeychain())
    credentials.delete("never-saved")  # PasswordDeleteError caused by NotFound, and nothing there


@pytest.mark.parametrize("backend", [MacKeychain, MacKeychainRaw], ids=["wrapped", "raw"])
def test_a_refused_macos_delete_is_a_failure_and_keeps_everything(use_backend, backend):
    kr = backend()
    use_backend(kr)
    creds = Credentials("abcd1234", SECRET)
    credentials.save("desk", creds)
    credentials.keep_for_session("desk", creds)
    kr.deny = True
    with pytest.raises(KeyringUnavailable) as info:
        credentials.delete("desk")
    assert "refused to delete the secret" in str(info.value) and SECRET not in str(info.value)
    assert json.loads(kr.store[(KEYRING_SERVICE, "desk")])["secret"] == SECRET
    assert credentials.load("desk") == creds
    kr.deny = False
    credentials.delete("desk")  # allowed again: gone, and so is the session's copy
    assert (KEYRING_SERVICE, "desk") not in kr.store and credentials.load("desk") is None


def test_a_delete_reported_as_not_found_while_the_entry_stays_is_a_failure(use_backend, mem_keyring):
    """KWallet raises PasswordDeleteError for a cancelled prompt too: the entry read back decides."""
    credentials.save("desk", Credentials("abcd1234", SECRET))

    def cancelled(service, username):
        raise keyring.errors.PasswordDeleteError("Cancelled by user")

    mem_keyring.delete_password = cancelled
    with pytest.raises(KeyringUnavailable, match="refused to delete the secret"):
        credentials.delete("desk")
