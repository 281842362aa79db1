"""A new HTTP/2 connection carries several requests at once, before the server's SETTINGS arrive (a cold
load's look-ahead page no longer waits a round trip behind the first), and a server that then lowers the
stream limit below what is in flight neither stalls nor breaks the connection."""

from concurrent.futures import ThreadPoolExecutor

from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.net.transport import NetworkSettings
from tests.core.h2_withholding_server import WithholdingH2Server


def client_for(server, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_bytes(server.ca_pem)
    return GateClient(f"https://127.0.0.1:{server.port}/api/v4", timeout_s=10.0,
                      network=NetworkSettings(ca_file=str(ca)))


def read_times(client, count):
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(client.request, "GET", "/spot/time", signed=False) for _ in range(count)]
        return [f.result() for f in futures]


def test_a_new_connection_sends_several_requests_before_the_servers_settings(tmp_path):
    # the server says nothing until it has seen two requests: one stream at a time never gets there
    with WithholdingH2Server(streams=2, give_up_s=5.0) as server, client_for(server, tmp_path) as client:
        answers = read_times(client, 2)
        assert [a.http_version for a in answers] == ["HTTP/2", "HTTP/2"]
        assert server.seen_before_settings == 2


def test_a_server_lowering_the_stream_limit_below_what_is_in_flight_does_not_stall(tmp_path):
    with WithholdingH2Server(streams=4, max_streams=2, give_up_s=5.0) as server, \
            client_for(server, tmp_path) as client:
        assert len(read_times(client, 4)) == 4  # four in flight when the server says two
        assert server.seen_before_settings == 4
        assert len(read_times(client, 3)) == 3  # and the connection goes on, within the new limit
        assert server.answered == 7
