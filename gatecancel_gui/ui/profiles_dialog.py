"""Add, edit and remove API key profiles. Key and secret go only to the OS keyring (or, if there is no
keyring, stay in memory for this session); the rest goes to the profile list."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
)

from gatecancel_gui.core import credentials
from gatecancel_gui.core.client import GateClient
from gatecancel_gui.core.errors import ConfigError
from gatecancel_gui.core.hosts import Environment
from gatecancel_gui.core.profiles import Profile, ProfileStore, check_name
from gatecancel_gui.core.session import Session, open_profile
from gatecancel_gui.ui.jobs import CallJob, JobController, JobResult

ENVIRONMENTS = [("Live (api.gateio.ws)", Environment.LIVE), ("Testnet", Environment.TESTNET),
                ("Custom URL", Environment.CUSTOM)]


class ProfilesDialog(QDialog):
    sessionChosen = Signal(object)   # noqa: N815  Session
    testFinished = Signal(str)       # noqa: N815

    def __init__(self, store: ProfileStore, jobs: JobController | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self.jobs = jobs or JobController(self)  # the window's, or its own when used alone
        self.job: CallJob | None = None
        self.setWindowTitle("Profiles")
        self.list = QListWidget(self)
        self.name = QLineEdit(self)
        self.environment = QComboBox(self)
        for text, env in ENVIRONMENTS:
            self.environment.addItem(text, env.value)
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("https://…/api/v4 (http:// only to 127.0.0.1)")
        self.account = QComboBox(self)
        self.account.addItem("Classic spot account", "")
        self.account.addItem("Unified account", "unified")
        self.key = QLineEdit(self)
        self.secret = QLineEdit(self)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.session_only = QCheckBox("Use for this session only (do not store the secret)", self)
        working = credentials.keyring_works()
        self.keyring_note = QLabel(self)
        self.keyring_note.setWordWrap(True)
        if working:
            self.keyring_note.setText(f"Key and secret are stored in the OS keyring: {credentials.backend_name()}.")
        else:
            self.keyring_note.setText("No OS keyring is available, so the secret cannot be stored: "
                                      "it can be used for this session only.")
            self.session_only.setChecked(True)
            self.session_only.setEnabled(False)
        self.status = QLabel(self)
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Environment", self.environment)
        form.addRow("Base URL", self.url)
        form.addRow("Account", self.account)
        form.addRow("API key", self.key)
        form.addRow("API secret", self.secret)
        form.addRow(self.session_only)
        form.addRow(self.keyring_note)
        buttons = QHBoxLayout()
        self.btn_new = QPushButton("&New", self)
        self.btn_save = QPushButton("&Save", self)
        self.btn_remove = QPushButton("&Remove", self)
        self.btn_test = QPushButton("&Test connection", self)
        self.btn_use = QPushButton("&Use", self)
        for b in (self.btn_new, self.btn_save, self.btn_remove, self.btn_test, self.btn_use):
            buttons.addWidget(b)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(form, 2)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(close)

        self.list.currentTextChanged.connect(self._show)
        self.environment.currentIndexChanged.connect(self._env_changed)
        self.btn_new.clicked.connect(self._new)
        self.btn_save.clicked.connect(self.save)
        self.btn_remove.clicked.connect(self.remove)
        self.btn_test.clicked.connect(self.test_connection)
        self.btn_use.clicked.connect(self.use)
        self.reload()
        self._env_changed()

    def reload(self) -> None:
        """Show the saved profiles as they are now (the dialog is kept and opened again)."""
        self.list.clear()
        try:
            self.list.addItems([p.name for p in self.store.all()])
        except ConfigError as exc:
            self.say(str(exc), error=True)

    def _env_changed(self) -> None:
        self.url.setEnabled(self.environment.currentData() == Environment.CUSTOM.value)

    def _new(self) -> None:
        self.list.clearSelection()
        for field in (self.name, self.url, self.key, self.secret):
            field.clear()
        self.environment.setCurrentIndex(0)

    def _show(self, name: str) -> None:
        profile = self.store.get(name) if name else None
        if profile is None:
            return
        self.name.setText(profile.name)
        self.environment.setCurrentIndex(max(0, self.environment.findData(profile.environment)))
        self.url.setText(profile.custom_url)
        self.account.setCurrentIndex(max(0, self.account.findData(profile.account)))
        self.secret.clear()
        try:
            creds = credentials.load(name)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            creds = None
        self.key.setText(creds.key if creds else "")
        self.secret.setPlaceholderText("stored — leave empty to keep" if creds else "")

    def _profile(self) -> Profile:
        env = self.environment.currentData()
        profile = Profile(check_name(self.name.text()), env,
                          self.url.text().strip() if env == Environment.CUSTOM.value else "",
                          self.account.currentData())
        profile.base_url  # noqa: B018  (raises ConfigError with a sentence for a bad URL)
        return profile

    def _credentials(self, name: str) -> credentials.Credentials:
        secret = self.secret.text()
        if not secret:
            existing = credentials.load(name)
            if existing is None:
                raise ConfigError("Enter the API secret.")
            secret = existing.secret
        return credentials.make_credentials(self.key.text(), secret)

    def save(self) -> bool:
        try:
            profile = self._profile()
            creds = self._credentials(profile.name)
            if self.session_only.isChecked():
                credentials.keep_for_session(profile.name, creds)
            else:
                credentials.save(profile.name, creds)
            self.store.put(profile)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return False
        where = "for this session only" if self.session_only.isChecked() else \
            f"secret in {credentials.backend_name()}"
        self.say(f"Saved profile '{profile.name}' ({where}).")
        self.secret.clear()
        self.reload()
        return True

    def remove(self) -> None:
        name = self.list.currentItem().text() if self.list.currentItem() else self.name.text().strip()
        if not name:
            return
        try:
            credentials.delete(name)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return
        self.store.remove(name)
        self.reload()
        self._new()
        self.say(f"Removed profile '{name}' and its secret.")

    def test_connection(self) -> None:
        try:
            profile = self._profile()
            creds = self._credentials(profile.name)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return

        def probe() -> str:
            with GateClient(profile.base_url, creds, account=profile.account or None) as client:
                offset = client.sync_clock()
                data = client.request("GET", "/spot/open_orders", params=[("page", "1"), ("limit", "1")]).data
                pairs = len(data) if isinstance(data, list) else 0
                return (f"Connected: the key works; {pairs} pair{'s' if pairs != 1 else ''} with open orders; "
                        f"clock offset {offset:+.2f} s.")

        self.btn_test.setEnabled(False)
        self.say("Testing…")
        self.job = CallJob(probe)
        self.jobs.start(self.job, self._tested, exclusive=False)

    def _tested(self, result: JobResult) -> None:
        self.job = None
        self.btn_test.setEnabled(True)
        self.say(result.value if result.ok else result.error, error=not result.ok)
        self.testFinished.emit(result.value if result.ok else result.error)

    def use(self) -> None:
        if not self.save():
            return
        profile = self.store.get(self.name.text().strip())
        if profile is None:
            return
        try:
            session: Session = open_profile(profile)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return
        self.sessionChosen.emit(session)
        self.accept()

    def say(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet("QLabel { color: #d32f2f; }" if error else "")
        self.status.setText(text)
