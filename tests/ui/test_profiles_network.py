"""The Profiles dialog's network settings: a CA file for a custom URL, a proxy whose login goes to the
keyring only, and Test connection through both, against the paper exchange over TLS and a real pproxy."""

import json

import pytest

from gatecancel_gui.core.app.session import open_profile
from gatecancel_gui.core.net import proxies
from gatecancel_gui.core.store import proxy_login
from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.paper import NetworkShape, PaperExchange
from gatecancel_gui.ui.profiles_dialog import ProfilesDialog
from tests.conftest import PROXY_PASSWORD, PROXY_USER


@pytest.fixture
def tls_paper():
    with PaperExchange(orders=30, pairs=3, network=NetworkShape(tls=True)) as ex:
        yield ex


@pytest.fixture
def exchange_far_away(monkeypatch):
    """The paper exchange on 127.0.0.1 stands in for a remote Gate: this computer is never reached through a
    proxy (net/proxies), so a test of the way through one says loopback is not this computer."""
    monkeypatch.setattr(proxies, "is_this_computer", lambda host: False)


@pytest.fixture
def dialog(qtbot, tmp_path, mem_keyring):
    dlg = ProfilesDialog(ProfileStore(tmp_path / "profiles.json"))
    qtbot.addWidget(dlg)
    return dlg


def fill(dlg, paper, *, ca_file=True, proxy=""):
    dlg.name.setText("desk")
    dlg.environment.setCurrentIndex(dlg.environment.findData("custom"))
    dlg.url.setText(paper.base_url)
    dlg.key.setText(paper.main_key.key)
    dlg.secret.setText(paper.main_key.secret)
    dlg.ca_file.setText(str(paper.ca_file) if ca_file else "")
    dlg.proxy.setText(proxy)


def connection_test(dlg, qtbot):
    with qtbot.waitSignal(dlg.testFinished, timeout=20_000) as blocker:
        dlg.btn_test.click()
    return blocker.args[0]


def test_an_unknown_certificate_is_one_sentence_and_the_profiles_ca_file_is_trusted(dialog, tls_paper, qtbot):
    fill(dialog, tls_paper, ca_file=False)
    assert connection_test(dialog, qtbot) == (
        "The exchange's certificate is not trusted by this computer: if a company proxy inspects TLS, install "
        "its certificate authority in the system's trust store, or give the profile a CA file (--ca-file on the "
        "command line).")
    fill(dialog, tls_paper)
    assert connection_test(dialog, qtbot).startswith("Connected: the key can list and cancel orders")


def test_a_missing_ca_file_or_a_bad_proxy_is_refused_before_anything_is_saved(dialog, tls_paper, tmp_path):
    fill(dialog, tls_paper)
    dialog.ca_file.setText(str(tmp_path / "nope.pem"))
    assert not dialog.save()
    assert "does not exist" in dialog.status.text()
    fill(dialog, tls_paper, proxy="ftp://127.0.0.1:1")
    assert not dialog.save()
    assert "is not a proxy address" in dialog.status.text()
    assert not (tmp_path / "profiles.json").exists()


@pytest.mark.parametrize("scheme", ["http", "socks5"])
def test_a_proxy_login_typed_into_the_address_goes_to_the_keyring_and_test_connection_uses_it(
        dialog, tls_paper, proxy_server, qtbot, tmp_path, scheme, exchange_far_away):
    port, proc = proxy_server
    fill(dialog, tls_paper, proxy=f"{scheme}://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{port}")
    assert dialog.save(), dialog.status.text()
    assert dialog.proxy.text() == f"{scheme}://127.0.0.1:{port}" and dialog.proxy_user.text() == PROXY_USER
    on_disk = (tmp_path / "profiles.json").read_text(encoding="utf-8")
    assert PROXY_PASSWORD not in on_disk
    assert json.loads(on_disk)[0]["proxy"] == f"{scheme}://127.0.0.1:{port}"
    assert proxy_login.load("desk") == (PROXY_USER, PROXY_PASSWORD)

    dialog.list.setCurrentRow(0)  # shown again: the password stays in the keyring, the field stays empty
    assert dialog.proxy_user.text() == PROXY_USER and dialog.proxy_password.text() == ""
    assert dialog.proxy_password.placeholderText().startswith("stored")
    dialog.secret.setText(tls_paper.main_key.secret)
    assert connection_test(dialog, qtbot).startswith("Connected: the key can list and cancel orders")

    session = open_profile(ProfileStore(tmp_path / "profiles.json").get("desk"))
    try:
        assert PROXY_PASSWORD not in repr(session.client.network)
    finally:
        session.close()
    proc.terminate()
    assert f"127.0.0.1:{tls_paper.port}" in proc.communicate(timeout=10)[0]  # the proxy carried it


def test_a_proxy_that_wants_a_login_says_so_in_test_connection(dialog, tls_paper, proxy_server, qtbot,
                                                               exchange_far_away):
    port, _ = proxy_server
    fill(dialog, tls_paper, proxy=f"http://127.0.0.1:{port}")
    assert connection_test(dialog, qtbot).startswith("The proxy refused to carry the request")


def test_removing_a_profile_removes_its_proxy_password(dialog, tls_paper, mem_keyring):
    fill(dialog, tls_paper, proxy="http://127.0.0.1:3128")
    dialog.proxy_user.setText("trader")
    dialog.proxy_password.setText("hunter22-proxy")
    assert dialog.save(), dialog.status.text()
    assert proxy_login.load("desk") == ("trader", "hunter22-proxy")
    dialog.list.setCurrentRow(0)
    dialog.remove()
    assert proxy_login.load("desk") is None


def test_the_websocket_address_is_checked_saved_and_shown_again(dialog, tls_paper, tmp_path):
    fill(dialog, tls_paper)
    dialog.ws_url.setText("https://127.0.0.1:1/ws")
    assert not dialog.save()
    assert "is not a WebSocket address" in dialog.status.text()
    assert not (tmp_path / "profiles.json").exists()
    dialog.ws_url.setText(f" wss://127.0.0.1:{tls_paper.port}/ ")
    assert dialog.save()
    stored = ProfileStore(tmp_path / "profiles.json").get("desk")
    assert stored is not None and stored.ws_url == f"wss://127.0.0.1:{tls_paper.port}"
    dialog._new()
    assert dialog.ws_url.text() == ""
    dialog._show("desk")
    assert dialog.ws_url.text() == f"wss://127.0.0.1:{tls_paper.port}"
