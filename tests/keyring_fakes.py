"""Keyring backends that fail the way the Windows and macOS ones do, for tests on any machine.

Neither OS's error is a keyring.errors.KeyringError: keyring's Windows backend lets pywintypes.error escape
(an Exception whose args are (winerror, funcname, strerror)), and its macOS backend wraps the Keychain's
own error (keyring.backends.macOS.api.Error, args (status, text)) as the cause of a PasswordDeleteError,
for "item not found" and for a refusal alike."""

from keyring.errors import PasswordDeleteError

from tests.memkeyring import MemoryKeyring


class FakeWinError(Exception):
    """Stands in for pywintypes.error."""

    def __init__(self, winerror, funcname, strerror):
        super().__init__(winerror, funcname, strerror)
        self.winerror, self.funcname, self.strerror = winerror, funcname, strerror


LOGON_SESSION_GONE = "A specified logon session does not exist. It may already have been terminated."


class NoLogonSession(MemoryKeyring):
    """Windows' Credential Manager when the logon session is gone (error 1312): every call fails."""

    def get_password(self, service, username):
        raise FakeWinError(1312, "CredRead", LOGON_SESSION_GONE)

    def set_password(self, service, username, password):
        raise FakeWinError(1312, "CredWrite", LOGON_SESSION_GONE)

    def delete_password(self, service, username):
        raise FakeWinError(1312, "CredDelete", LOGON_SESSION_GONE)


class KeychainError(Exception):
    """Stands in for keyring.backends.macOS.api.Error: args (status, text)."""


class NotFound(KeychainError):
    """keyring.backends.macOS.api.NotFound, by its name."""


class KeychainDenied(KeychainError):
    pass


class MacKeychain(MemoryKeyring):
    """keyring's macOS backend's delete_password: every Keychain error, "not found" or a refusal, becomes a
    PasswordDeleteError with that error as its cause. `deny` makes the Keychain refuse (the entry stays)."""

    deny = False

    def delete_password(self, service, username):
        try:
            if self.deny:
                raise KeychainDenied(-128, "Keychain Access Denied")
            if (service, username) not in self.store:
                raise NotFound(-25300, "Item not found")
            del self.store[(service, username)]
        except KeychainError as e:
            raise PasswordDeleteError(f"Can't delete password in keychain: {e}") from e


class MacKeychainRaw(MacKeychain):
    """A backend that lets the Keychain's raw error out on a refused delete (no PasswordDeleteError)."""

    def delete_password(self, service, username):
        if self.deny:
            raise KeychainDenied(-25293, "Security Auth Failure")
        super().delete_password(service, username)
