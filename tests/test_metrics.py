"""``GET /metrics``: scraped from a real server on loopback while queries run, parsed with
prometheus_client's own parser; exact counter deltas after known requests; who may read it."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sparql_support import CITY_QUERY, COUNT_QUERY, PROLOGUE, live_server, wait_until

from imtkg.core.errors import ImtKgError
from imtkg.web.metrics import parse_networks
from imtkg.web.state import EXTENSION_KEY

TOKEN = "metrics-test-token"
#: a cross product of the whole store six times over: far more than the 1-second limit
PATHOLOGICAL = (
    "SELECT (COUNT(*) AS ?n) WHERE { "
    "?s1 ?p1 ?o1 . ?s2 ?p2 ?o2 . ?s3 ?p3 ?o3 . ?s4 ?p4 ?o4 . ?s5 ?p5 ?o5 . ?s6 ?p6 ?o6 }"
)
ASK_QUERY = PROLOGUE + "ASK { id:telecom-paris a imt:School }"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def app_settings():
    """The module's app: 1-second queries, two workers, a token and an allowed network."""
    return {
        "QUERY_TIMEOUT": 1.0,
        "WORKERS": 2,
        "METRICS_TOKEN": TOKEN,
        "METRICS_ALLOW": "198.51.100.0/24",
    }


def parse(text: str) -> Samples:
    """Every sample of an exposition, keyed by (name, sorted labels)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The value of one sample (0 when the exposition has none yet, as for a new label set)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def http_get(url: str) -> tuple[int, bytes]:
    """GET ``url``: (status, body), error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def scrape(base_url: str) -> Samples:
    """Scrape ``/metrics`` as a loopback client (no token)."""
    status, body = http_get(base_url + "/metrics")
    assert status == 200
    return parse(body.decode("utf-8"))


def sparql(base_url: str, query: str) -> int:
    """The status of a GET /sparql of ``query`` (JSON results)."""
    return http_get(f"{base_url}/sparql?{urllib.parse.urlencode({'query': query})}")[0]


@pytest.mark.live
def test_scrape_while_queries_run_counts_exactly(app):
    """While a runaway query holds a worker, a scrape shows it in the queue; afterwards the
    counters moved by exactly the requests made: 3 ok queries, 1 syntax error, 1 timeout (and
    the worker it cost), 6 requests to /sparql, 5 cache misses then 1 hit that ran no query."""
    engine = app.extensions[EXTENSION_KEY].engine
    with live_server(app) as base_url:
        before = scrape(base_url)
        assert value(before, "imtkg_query_queue_length") == 0
        outcome: dict[str, int] = {}
        runaway = threading.Thread(
            target=lambda: outcome.update(slow=sparql(base_url, PATHOLOGICAL))
        )
        runaway.start()
        wait_until(lambda: engine.inside == 1, "the runaway query reaches the engine")
        during = scrape(base_url)
        assert value(during, "imtkg_query_queue_length") == 1
        assert [sparql(base_url, q) for q in (CITY_QUERY, COUNT_QUERY, ASK_QUERY)] == [200] * 3
        assert sparql(base_url, "SELECT * WHERE { ?s ?p }") == 400
        runaway.join(30)
        assert outcome["slow"] == 504
        assert sparql(base_url, CITY_QUERY) == 200  # from the response cache: no query runs
        after = scrape(base_url)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("imtkg_queries_total", outcome="ok") == 3
    assert delta("imtkg_queries_total", outcome="syntax") == 1
    assert delta("imtkg_queries_total", outcome="timeout") == 1
    assert delta("imtkg_query_worker_restarts_total") == 1
    assert delta("imtkg_response_cache_misses_total") == 5
    assert delta("imtkg_response_cache_hits_total") == 1
    assert delta("imtkg_http_requests_total", route="/sparql", method="GET", status="200") == 4
    assert delta("imtkg_http_requests_total", route="/sparql", method="GET", status="400") == 1
    assert delta("imtkg_http_requests_total", route="/sparql", method="GET", status="504") == 1
    assert delta("imtkg_http_request_seconds_count", route="/sparql") == 6
    # the runaway query's request took at least the time limit
    assert delta("imtkg_http_request_seconds_bucket", route="/sparql", le="1.0") == 5
    # the two scrapes before ``after`` (``after`` is counted once it is answered)
    assert delta("imtkg_http_requests_total", route="/metrics", method="GET", status="200") == 2
    assert value(after, "imtkg_query_queue_length") == 0
    assert value(after, "imtkg_query_queue_rejections_total") == 0


def test_dataset_gauges_and_bounded_routes(app, client):
    """The dataset's triples per graph and its version are exposed as set at start; a path
    outside the app's routes is counted under the route ``other``; the service description
    (GET /sparql without a query) is a request to /sparql that runs no query."""
    state = app.extensions[EXTENSION_KEY]
    before = parse(client.get("/metrics").get_data(as_text=True))
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200
    after = parse(client.get("/metrics").get_data(as_text=True))
    sizes = {
        dict(labels)["graph"]: size
        for (name, labels), size in after.items()
        if name == "imtkg_dataset_triples"
    }
    assert sizes == {graph: float(size) for graph, size in state.graph_sizes.items()}
    assert len(sizes) > 1
    assert value(after, "imtkg_dataset_info", version=state.version.digest) == 1

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("imtkg_http_requests_total", route="other", method="GET", status="404") == 1
    assert delta("imtkg_http_requests_total", route="/sparql", method="GET", status="200") == 1
    assert sum(delta("imtkg_queries_total", outcome=o) for o in ("ok", "syntax")) == 0


def test_access_is_loopback_token_or_allowed_network(client):
    """Loopback clients are answered; another address gets 403 unless it sends the token or is
    in METRICS_ALLOW; a loopback request that came through a proxy is not taken for local."""
    assert client.get("/metrics").status_code == 200
    outside = {"REMOTE_ADDR": "192.0.2.10"}
    refused = client.get("/metrics", environ_overrides=outside)
    assert refused.status_code == 403
    assert refused.get_data(as_text=True).startswith("403 Forbidden: /metrics is answered")
    assert "imtkg_" not in refused.get_data(as_text=True)
    wrong = client.get(
        "/metrics", environ_overrides=outside, headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 403
    allowed = client.get(
        "/metrics", environ_overrides=outside, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert allowed.status_code == 200
    assert allowed.headers["Content-Type"].startswith("text/plain; version=")
    assert "imtkg_http_requests_total" in allowed.get_data(as_text=True)
    in_network = client.get("/metrics", environ_overrides={"REMOTE_ADDR": "198.51.100.7"})
    assert in_network.status_code == 200
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert proxied.status_code == 403


def test_allowed_networks_setting_is_checked():
    """METRICS_ALLOW is read as CIDR networks or addresses; anything else is a clear error."""
    assert [str(n) for n in parse_networks("10.0.0.0/8, 192.0.2.7,::1")] == [
        "10.0.0.0/8",
        "192.0.2.7/32",
        "::1/128",
    ]
    assert parse_networks(None) == []
    with pytest.raises(ImtKgError, match="METRICS_ALLOW: 'ten' is not a network"):
        parse_networks("10.0.0.0/8,ten")
