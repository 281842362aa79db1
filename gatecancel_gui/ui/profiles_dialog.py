"""Add, edit and remove API key profiles. Key and secret go only to the OS keyring (or, if there is no
keyring, stay in memory for this session); the rest goes to the profile list."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
)

from gatecancel_gui.core.app.session import Session, open_profile, profile_network
from gatecancel_gui.core.domain.environments import Environment
from gatecancel_gui.core.domain.errors import ConfigError, ErrorClass, GateError
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.net.transport import NetworkSettings, network_settings, split_login
from gatecancel_gui.core.store import credentials, proxy_login
from gatecancel_gui.core.store.profiles import Profile, ProfileStore, check_name
from gatecancel_gui.core.stream.addresses import origin_of
from gatecancel_gui.ui.jobs import CallJob, JobController, JobResult

STATUS_LINES = 3  # room kept for the status line, so a message that wraps moves no button
PROBE_ORDER_ID = "1"  # an id no Gate order has: cancelling it proves the permission and touches nothing
PROBE_PAIR = "BTC_USDT"
CANNOT_CANCEL = {"READ_ONLY", "FORBIDDEN"}

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
        self.ca_file = QLineEdit(self)
        self.ca_file.setPlaceholderText("optional: a PEM file trusted besides the system's store")
        self.btn_ca = QPushButton("Browse…", self)
        self.btn_ca.setAutoDefault(False)
        self.proxy = QLineEdit(self)
        self.proxy.setPlaceholderText("none (the system's proxy, if set), or http://host:port, socks5://host:port")
        self.ws_url = QLineEdit(self)
        self.ws_url.setPlaceholderText("optional: wss://host:port, where the live stream's sockets are "
                                       "(default: from the URL)")
        self.proxy_user = QLineEdit(self)
        self.proxy_user.setPlaceholderText("if the proxy asks for a login")
        self.proxy_password = QLineEdit(self)
        self.proxy_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.session_only = QCheckBox("Use for this session only (do not store the secret)", self)
        working = credentials.keyring_works()
        self.keyring_note = QLabel(self)
        self.keyring_note.setWordWrap(True)
        if working:
            self.keyring_note.setText(f"Key, secret and proxy password are stored in the OS keyring: "
                                      f"{credentials.backend_name()}.")
        else:
            self.keyring_note.setText("No OS keyring is available, so the secret cannot be stored: "
                                      "it can be used for this session only.")
            self.session_only.setChecked(True)
            self.session_only.setEnabled(False)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(STATUS_LINES * self.status.fontMetrics().lineSpacing())

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Environment", self.environment)
        form.addRow("Base URL", self.url)
        form.addRow("Account", self.account)
        form.addRow("API key", self.key)
        form.addRow("API secret", self.secret)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.btn_ca)
        form.addRow("CA file", ca_row)
        form.addRow("WebSocket", self.ws_url)
        form.addRow("Proxy", self.proxy)
        form.addRow("Proxy user", self.proxy_user)
        form.addRow("Proxy password", self.proxy_password)
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
        # Enter saves and never destroys input: Save is the one default button, no other button is ever one.
        others: list[QAbstractButton] = [self.btn_new, self.btn_remove, self.btn_test, self.btn_use]
        for button in [*others, *close.buttons()]:
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
        self.btn_save.setAutoDefault(True)
        self.btn_save.setDefault(True)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows to fit a wrapped note
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
        self.btn_ca.clicked.connect(self._browse_ca)
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
        for field in (self.name, self.url, self.key, self.secret, self.ca_file, self.ws_url, self.proxy,
                      self.proxy_user, self.proxy_password):
            field.clear()
        self.environment.setCurrentIndex(0)

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA file", self.ca_file.text(),
                                              "Certificates (*.pem *.crt);;All files (*)")
        if path:
            self.ca_file.setText(path)

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
            creds = self._stored(name)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            creds = None
        self.key.setText(creds.key if creds else "")
        self.secret.setPlaceholderText("stored — leave empty to keep" if creds else "")
        self.ca_file.setText(profile.ca_file)
        self.ws_url.setText(profile.ws_url)
        self.proxy.setText(profile.proxy)
        self.proxy_password.clear()
        try:
            login = proxy_login.load(name) if profile.proxy else None
        except ConfigError as exc:
            self.say(str(exc), error=True)
            login = None
        self.proxy_user.setText(login[0] if login else "")
        self.proxy_password.setPlaceholderText("stored — leave empty to keep" if login else "")

    def _profile(self) -> Profile:
        env = self.environment.currentData()
        proxy, user, password = split_login(self.proxy.text())
        if user:  # a login typed into the address goes to its own fields, and from there to the keyring
            self.proxy.setText(proxy)
            self.proxy_user.setText(user)
            self.proxy_password.setText(password)
        profile = Profile(check_name(self.name.text()), env,
                          self.url.text().strip() if env == Environment.CUSTOM.value else "",
                          self.account.currentData(), ca_file=self.ca_file.text().strip(), proxy=proxy,
                          ws_url=origin_of(self.ws_url.text()) if self.ws_url.text().strip() else "")
        profile.base_url  # noqa: B018  (raises ConfigError with a sentence for a bad URL)
        network_settings(ca_file=profile.ca_file, proxy=profile.proxy)  # … and for a missing file, a bad proxy
        return profile

    def _proxy_login(self, profile: Profile) -> tuple[str, str] | None:
        """The login typed (a password left empty keeps the stored one), or None without a user."""
        user = self.proxy_user.text().strip()
        if not (profile.proxy and user):
            return None
        password = self.proxy_password.text()
        if not password:
            stored = proxy_login.load(profile.name)
            if stored is None:
                raise ConfigError("Enter the proxy password, or leave the proxy user empty.")
            password = stored[1]
        return user, password

    def _network(self, profile: Profile) -> NetworkSettings:
        return profile_network(profile, self._proxy_login(profile))

    @staticmethod
    def _stored(name: str) -> credentials.Credentials | None:
        """The profile's stored credentials. Without a working keyring only this session's can exist: a
        profile without them has none stored, which is no keyring error."""
        try:
            return credentials.load(name)
        except credentials.KeyringUnavailable:
            if credentials.keyring_works():
                raise
            return None

    def _credentials(self, name: str) -> credentials.Credentials:
        """What the user typed first: a key, then a secret (typed, or the one already stored)."""
        if not self.key.text().strip():
            raise ConfigError("Enter the API key.")
        key = credentials.clean_credential(self.key.text(), "key")
        secret = self.secret.text()
        if not secret.strip():
            existing = self._stored(name)
            if existing is None:
                raise ConfigError("Enter the API secret.")
            secret = existing.secret
        return credentials.make_credentials(key, secret)

    def save(self) -> bool:
        try:
            profile = self._profile()
            creds = self._credentials(profile.name)
            login = self._proxy_login(profile)
            if self.session_only.isChecked():
                credentials.keep_for_session(profile.name, creds)
            else:
                credentials.save(profile.name, creds)
            proxy_login.save(profile.name, *(login or ("", "")), session_only=self.session_only.isChecked())
            self.store.put(profile, session_only=self.session_only.isChecked())  # this session: not on disk
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return False
        where = "for this session only" if self.session_only.isChecked() else \
            f"secret in {credentials.backend_name()}"
        self.say(f"Saved profile '{profile.name}' ({where}).")
        self.secret.clear()
        self.proxy_password.clear()
        self.reload()
        return True

    def remove(self) -> None:
        name = self.list.currentItem().text() if self.list.currentItem() else self.name.text().strip()
        if not name:
            return
        try:
            credentials.delete(name)
            proxy_login.delete(name)
            self.store.remove(name)  # last: a secret refused its delete keeps its profile (and a way to retry)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return
        self.reload()
        self._new()
        self.say(f"Removed profile '{name}' and its secret.")

    def test_connection(self) -> None:
        try:
            profile = self._profile()
            creds = self._credentials(profile.name)
            network = self._network(profile)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return

        def probe(stop: threading.Event) -> str:
            with GateClient(profile.base_url, creds, account=profile.account or None, network=network) as client:
                offset = client.sync_clock(stop)
                data = client.request("GET", "/spot/open_orders", params=[("page", "1"), ("limit", "1")],
                                      stop=stop).data
                pairs = len(data) if isinstance(data, list) else 0
                if not can_cancel(client):
                    return ("Connected, but this key is read-only: it can list orders but cannot cancel them. "
                            "Give it the spot-trade permission on Gate.")
                return (f"Connected: the key can list and cancel orders; {pairs} pair{'s' if pairs != 1 else ''} "
                        f"with open orders; clock offset {round(offset, 2) + 0.0:+.2f} s.")

        self.btn_test.setEnabled(False)
        self.say("Testing…")
        job = self.job = CallJob(lambda: probe(job.stop_event))  # Stop (closing the window) ends its waits
        self.jobs.start(job, self._tested, exclusive=False)

    def _tested(self, result: JobResult) -> None:
        self.job = None
        self.btn_test.setEnabled(True)
        text = result.value if result.ok else (result.error or "The test was stopped.")
        self.say(text, error=not result.ok)
        self.testFinished.emit(text)

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
        self._fit()

    def _fit(self) -> None:
        """Grow to the height the wrapped labels need at this width: a window does not follow its
        layout's height-for-width by itself, and would squeeze the form and move the buttons instead."""
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        need = layout.totalHeightForWidth(self.width())
        if need > self.height():
            self.resize(self.width(), need)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802  (Qt's name)
        super().showEvent(event)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802  (Qt's name)
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._fit)  # narrower or shorter: never leave a label clipped


def can_cancel(client: GateClient) -> bool:
    """Whether the key may cancel, proven by cancelling an order that cannot exist: a trading key hears
    ORDER_NOT_FOUND, a read-only one READ_ONLY (or FORBIDDEN). Any other error is raised: its sentence is
    the answer to show (a locked account, a busy exchange, no network)."""
    params = [("currency_pair", PROBE_PAIR)]
    if client.account:
        params.append(("account", client.account))
    try:
        client.request("DELETE", f"/spot/orders/{PROBE_ORDER_ID}", params=params)
    except GateError as exc:
        if exc.label == "ORDER_NOT_FOUND":
            return True
        if exc.error_class is ErrorClass.PERMISSION and exc.label in CANNOT_CANCEL:
            return False
        raise
    return True  # an order with this id was there and is cancelled: the key can cancel
