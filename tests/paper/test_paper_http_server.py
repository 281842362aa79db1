"""The paper exchange's own HTTP/2 and HTTP/1.1 server (h2 and h11 over TLS): faults, slow answers, flow
control, and answers that leave as they are made."""

import socket
import ssl

import h2.config
import h2.connection
import h2.events
import h2.settings
import pytest

from gatecancel_gui.core.cancel.run import CancelRun
from gatecancel_gui.core.cancel.spot_batch import SpotBatch
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.paper import Fault, NetworkShape, PaperExchange
from tests.conftest import FAST_READS

STATE_OF = {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED}


def client_over(ex, http2=True, **kwargs):
    key = ex.main_key
    return GateClient(ex.base_url, Credentials(key.key, key.secret), read_retry=FAST_READS,
                      network=NetworkSettings(ca_file=ex.ca_file, http2=http2), **kwargs)


@pytest.mark.parametrize("offer_h2", [True, False])
def test_faults_and_slow_answers_over_tls_end_as_the_exchange_says(offer_h2):
    """A dropped answer (an HTTP/2 stream reset, a closed HTTP/1.1 connection), a cut-off body, a 500 after
    applying, and injected latency (answered from a worker thread): every order ends as its record says."""
    with PaperExchange(orders=200, pairs=4, latency_s=0.02,
                       network=NetworkShape(tls=True, http2=offer_h2)) as ex, client_over(ex) as client:
        ex.plan("POST /spot/cancel_batch_orders", [Fault.DROP_AFTER_APPLY, Fault.TRUNCATED_AFTER_APPLY,
                                                   Fault.ERROR_500_AFTER_APPLY, Fault.HTML_200])
        refs = [o.ref for o in load_open_orders(client)]
        assert client.http_version == ("HTTP/2" if offer_h2 else "HTTP/1.1")
        report = CancelRun(client, SpotBatch()).run(refs)
        assert report.count(OutcomeState.UNKNOWN) == 0
        assert all(o.state is STATE_OF[ex.book.status_of(r.id)] for r, o in report.outcomes.items())
        assert any(o.reconciled for o in report.outcomes.values())


def _raw_h2(ex, window):
    """A bare HTTP/2 client over TLS (the h2 library) that grants the server only `window` bytes a stream."""
    context = ssl.create_default_context(cafile=ex.ca_file)
    context.set_alpn_protocols(["h2"])
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", ex.port), timeout=10),
                               server_hostname="127.0.0.1")
    assert sock.selected_alpn_protocol() == "h2"
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.local_settings = h2.settings.Settings(client=True, initial_values={
        h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    return sock, conn


def test_an_answer_larger_than_the_clients_window_waits_for_it_and_arrives_whole():
    with PaperExchange(orders=40, pairs=2, network=NetworkShape(tls=True)) as ex:
        sock, conn = _raw_h2(ex, window=1000)
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, [(":method", "GET"), (":scheme", "https"), (":authority", "127.0.0.1"),
                                   (":path", "/api/v4/spot/currency_pairs")], end_stream=True)
        sock.sendall(conn.data_to_send())
        body, ended, status = b"", False, None
        while not ended:
            data = sock.recv(65536)
            assert data, "the server closed the connection"
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    status = dict(event.headers)[":status"]
                elif isinstance(event, h2.events.DataReceived):
                    assert len(event.data) <= 1000
                    body += event.data
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    ended = True
            sock.sendall(conn.data_to_send())
        sock.close()
        assert status == "200" and len(body) > 1000 and body.endswith(b"]")


def test_each_answer_leaves_as_soon_as_it_is_made():
    """A request the exchange holds (a slow answer, from a worker thread) does not hold back the answer to
    one sent after it on the same connection."""
    with PaperExchange(orders=10, pairs=2, network=NetworkShape(tls=True)) as ex:
        sock, conn = _raw_h2(ex, window=65535)
        slow, fast = conn.get_next_available_stream_id(), None
        ex.slow_s = 1.0
        ex.plan("GET /spot/tickers", [Fault.SLOW_AFTER_APPLY])
        conn.send_headers(slow, [(":method", "GET"), (":scheme", "https"), (":authority", "127.0.0.1"),
                                 (":path", "/api/v4/spot/tickers")], end_stream=True)
        fast = conn.get_next_available_stream_id()
        conn.send_headers(fast, [(":method", "GET"), (":scheme", "https"), (":authority", "127.0.0.1"),
                                 (":path", "/api/v4/spot/time")], end_stream=True)
        sock.sendall(conn.data_to_send())
        ended = []
        while fast not in ended:
            data = sock.recv(65536)
            assert data
            ended += [e.stream_id for e in conn.receive_data(data) if isinstance(e, h2.events.StreamEnded)]
            sock.sendall(conn.data_to_send())
        assert slow not in ended  # the time came back while the tickers were still being held
        sock.close()


def test_answers_are_not_held_back_by_nagles_algorithm():
    """Defect: the listening socket said protocol 0, so asyncio left Nagle's algorithm on for every
    connection, and the last answers of a 50-request burst waited 40 ms for the proxy's delayed ACK."""
    with PaperExchange(orders=10, pairs=2, network=NetworkShape(tls=True)) as ex, client_over(ex) as client:
        load_open_orders(client)
        [connection] = ex.network._connections
        sock = connection.transport.get_extra_info("socket")
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
