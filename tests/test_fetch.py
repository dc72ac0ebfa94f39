"""The fetcher against a real server on 127.0.0.1 that misbehaves on request: retries and
Retry-After, timeouts, resets, truncation, redirects, size caps, robots.txt, scope,
politeness between threads, conditional requests and connection reuse."""

from __future__ import annotations

import gzip
import threading
import time

import pytest
import requests

from harvester.demo import Fault, FixtureServer, FixtureSite
from harvester.errors import FetchError, OffsiteRedirect
from harvester.fetch import Fetcher, HostGate
from tests.conftest import FakeTime, site_config


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


def fetcher(site: FixtureSite, clock: FakeTime, **overrides: object) -> Fetcher:
    retries = overrides.pop("retries", 2)
    return Fetcher(site_config(site, **overrides), gate=HostGate(clock.clock, clock.sleep), retries=retries)  # type: ignore[arg-type]


def article_path(site: FixtureSite, i: int = 0) -> str:
    return site.path_of(site.articles[i])


def test_503_then_success_waits_the_retry_after(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    path = article_path(site)
    server.add_fault(site, path, Fault(status=503, retry_after="7"), times=2)
    page = fetcher(site, clock).get(site.base_url + path)
    assert page.status == 200 and "Ngày đăng".encode() in page.body
    assert [r.path for r in server.requests_for(site)].count(path) == 3
    assert clock.slept.count(7.0) == 2  # the host was paused as asked, twice


def test_429_retry_after_as_an_http_date(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    import email.utils

    path = article_path(site)
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.add_fault(site, path, Fault(status=429, retry_after=when), times=1)
    page = fetcher(site, clock).get(site.base_url + path)
    assert page.status == 200
    assert any(25 <= s <= 31 for s in clock.slept)


def test_a_retry_after_longer_than_a_run_closes_the_host_for_this_run(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    f = fetcher(site, clock)
    path = article_path(site)
    server.add_fault(site, path, Fault(status=503, retry_after="3600"), times=1)
    with pytest.raises(FetchError) as first:
        f.get(site.base_url + path)
    assert first.value.status == 503 and "Retry-After 3600s" in first.value.reason
    before = len(server.requests_for(site))
    with pytest.raises(FetchError) as later:
        f.get(site.base_url + article_path(site, 1))
    assert later.value.kind == "deferred"
    assert len(server.requests_for(site)) == before  # the server was not asked again
    assert 3600.0 not in clock.slept  # nobody sat out the hour


def test_5xx_backoff_grows_with_jitter(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    path = article_path(site)
    server.add_fault(site, path, Fault(status=502), times=3)
    with pytest.raises(FetchError) as info:
        fetcher(site, clock, backoff=1.0).get(site.base_url + path)
    assert info.value.status == 502
    waits = [s for s in clock.slept if s > 0]
    assert len(waits) == 2
    assert 0.5 <= waits[0] <= 1.5 and 1.0 <= waits[1] <= 3.0


def test_a_slow_page_past_the_timeout(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    path = article_path(site)
    server.add_fault(site, path, Fault(delay=1.0), times=1)
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetcher(site, clock, timeout=0.3, retries=0).get(site.base_url + path)
    assert info.value.kind == "timeout"
    assert time.monotonic() - started < 0.9


def test_a_reset_connection_is_retried(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    path = article_path(site)
    server.add_fault(site, path, Fault(reset=True), times=1)
    assert fetcher(site, clock).get(site.base_url + path).status == 200
    server.add_fault(site, path, Fault(reset=True), times=3)
    with pytest.raises(FetchError) as info:
        fetcher(site, clock).get(site.base_url + path)
    assert info.value.kind == "connection"


def test_truncated_html_is_an_error_never_a_short_page(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    path = article_path(site)
    server.add_fault(site, path, Fault(truncate=True), times=3)
    with pytest.raises(FetchError) as info:
        fetcher(site, clock).get(site.base_url + path)
    assert info.value.kind == "truncated" and "truncated" in info.value.reason


def test_a_redirect_chain_is_followed_and_recorded(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    final = article_path(site)
    server.add_fault(site, "/old/a-1", Fault(redirect="/old/b-1"), times=1)
    server.add_fault(site, "/old/b-1", Fault(redirect=site.base_url + "/old/c-1"), times=1)
    server.add_fault(site, "/old/c-1", Fault(redirect=final), times=1)
    page = fetcher(site, clock).get(site.base_url + "/old/a-1")
    assert page.final_url == site.base_url + final
    assert page.history == tuple(site.base_url + p for p in ("/old/a-1", "/old/b-1", "/old/c-1"))


def test_a_redirect_loop_is_refused(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    server.add_fault(site, "/x-1", Fault(redirect="/y-1"), times=50)
    server.add_fault(site, "/y-1", Fault(redirect="/x-1"), times=50)
    with pytest.raises(FetchError) as info:
        fetcher(site, clock).get(site.base_url + "/x-1")
    assert info.value.kind == "redirects" and "redirect loop" in info.value.reason
    assert len([r for r in server.requests_for(site) if r.path in ("/x-1", "/y-1")]) == 2


def test_too_many_redirects(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    for i in range(15):
        server.add_fault(site, f"/hop-{i}", Fault(redirect=f"/hop-{i + 1}"), times=1)
    f = fetcher(site, clock)
    f.max_redirects = 5
    with pytest.raises(FetchError) as info:
        f.get(site.base_url + "/hop-0")
    assert info.value.kind == "redirects" and "more than 5" in info.value.reason


def test_a_redirect_to_another_host_is_not_followed(clock: FakeTime) -> None:
    home, other = FixtureSite("home", n_articles=3), FixtureSite("other", n_articles=3)
    with FixtureServer([home, other]) as server:
        server.add_fault(home, "/moved-1", Fault(redirect=other.base_url + other.path_of(other.articles[0])), times=1)
        with pytest.raises(OffsiteRedirect) as info:
            fetcher(home, clock).get(home.base_url + "/moved-1")
        assert info.value.target.startswith(other.base_url)
        assert server.requests_for(other) == []


def test_a_200_mb_page_is_refused_without_being_read(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    path = article_path(site)
    server.add_fault(site, path, Fault(size=200_000_000), times=1)
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetcher(site, clock, max_bytes=10_000_000).get(site.base_url + path)
    assert info.value.kind == "too_large" and "200,000,000" in info.value.reason
    assert time.monotonic() - started < 2


def test_a_gzip_bomb_stops_at_the_cap(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    bomb = gzip.compress(b"<p>" + b" " * 20_000_000 + b"</p>")
    assert len(bomb) < 100_000
    path = article_path(site)
    server.add_fault(site, path, Fault(body=bomb, headers={"Content-Encoding": "gzip"}), times=1)
    with pytest.raises(FetchError) as info:
        fetcher(site, clock, max_bytes=1_000_000).get(site.base_url + path)
    assert info.value.kind == "too_large"


def test_gzip_pages_are_decoded(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    path = article_path(site)
    html = "<html><body><p>Nội dung</p></body></html>".encode()
    server.add_fault(site, path, Fault(body=gzip.compress(html), headers={"Content-Encoding": "gzip"}), times=1)
    assert fetcher(site, clock).get(site.base_url + path).body == html


def test_robots_txt_is_obeyed(clock: FakeTime) -> None:
    site = FixtureSite("robots", n_articles=5, disallow=("/noi-bo/", "/tin-tuc-su-kien/"))
    with FixtureServer([site]) as server:
        f = fetcher(site, clock)
        with pytest.raises(FetchError) as info:
            f.get(site.base_url + "/tin-tuc-su-kien/Bai-viet-1")
        assert info.value.kind == "robots"
        server.add_fault(site, "/ok-1", Fault(redirect="/noi-bo/bi-mat-2"), times=1)
        with pytest.raises(FetchError) as hop:
            f.get(site.base_url + "/ok-1")
        assert hop.value.kind == "robots" and "redirects to" in hop.value.reason
        paths = [r.path for r in server.requests_for(site)]
        assert paths.count("/robots.txt") == 1
        assert not any(p.startswith(("/tin-tuc-su-kien/", "/noi-bo/")) for p in paths)


def test_a_robots_txt_server_error_means_nothing_is_fetched(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    server.add_fault(site, "/robots.txt", Fault(status=500), times=5)
    with pytest.raises(FetchError) as info:
        fetcher(site, clock, retries=0).get(site.base_url + article_path(site))
    assert info.value.kind == "robots" and "robots.txt answered 500" in info.value.reason


def test_not_a_web_page(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    path = "/Uploads/van-ban-1.pdf"
    server.add_fault(site, path, Fault(body=b"%PDF-1.4", content_type="application/pdf"), times=1)
    with pytest.raises(FetchError) as info:
        fetcher(site, clock).get(site.base_url + path)
    assert info.value.kind == "content_type"


def test_a_conditional_request_gets_a_cheap_304(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    f = fetcher(site, clock)
    url = site.base_url + article_path(site)
    first = f.get(url)
    assert first.etag
    again = f.get(url, etag=first.etag)
    assert again.not_modified and again.body == b""
    assert server.requests_for(site)[-1].headers.get("If-None-Match") == first.etag
    site.grow_views(1)  # the count on the page changed: so did its bytes
    assert f.get(url, etag=first.etag).status == 200


def test_one_session_reuses_its_connection(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    f = fetcher(site, clock)
    for a in site.articles[:5]:
        f.get(site.base_url + site.path_of(a))
    clients = {r.client for r in server.requests_for(site)}
    assert len(clients) == 1


def test_the_user_agent_and_the_delay(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    f = fetcher(site, clock, delay=2.5)
    for a in site.articles[:3]:
        f.get(site.base_url + site.path_of(a))
    assert clock.slept == [2.5, 2.5, 2.5]  # robots.txt, then three pages, each 2.5 s after the last
    agents = {r.headers.get("User-Agent") for r in server.requests_for(site)}
    assert agents == {f.site.user_agent} and "https://" in f.site.user_agent


def test_two_sites_on_one_host_take_turns_across_threads() -> None:
    """Different sites run in parallel threads; a host they share still sees one request at
    a time, each at least `delay` after the previous one ended."""
    site = FixtureSite("shared", n_articles=8)
    with FixtureServer([site]) as server:
        gate = HostGate()
        a = Fetcher(site_config(site, name="a", delay=0.03), gate=gate)
        b = Fetcher(site_config(site, name="b", delay=0.03), gate=gate)
        server.add_fault(site, "/robots.txt", Fault(status=404), times=2)
        for art in site.articles:
            server.add_fault(site, site.path_of(art), Fault(delay=0.02), times=1)

        def run(f: Fetcher, articles: list) -> None:
            for art in articles:
                f.get(site.base_url + site.path_of(art))

        threads = [threading.Thread(target=run, args=(a, site.articles[:4])),
                   threading.Thread(target=run, args=(b, site.articles[4:]))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        starts = sorted(r.at for r in server.requests_for(site) if r.path != "/robots.txt")
        assert len(starts) == 8
        gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
        assert min(gaps) >= 0.045  # 0.02 s answering + 0.03 s delay, never two at once


def test_a_public_site_never_fetches_a_private_address(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    """A site on a public host name (served here through the fixture as a proxy) is refused
    a redirect to 127.0.0.1, even on its own say-so."""
    inner = FixtureSite("intranet", n_articles=2)
    with FixtureServer([inner]) as intranet:
        session = requests.Session()
        session.proxies = {"http": site.base_url}
        public = site_config(site, start_urls=("http://sldtbxh.fixture.test/tin-tuc-su-kien",),
                             aliases=(f"127.0.0.1:{inner.port}",))
        f = Fetcher(public, session=session, gate=HostGate(clock.clock, clock.sleep))
        assert f.site_is_public
        page = f.get("http://sldtbxh.fixture.test" + article_path(site))
        assert page.status == 200 and server.requests_for(site)[-1].host == "sldtbxh.fixture.test"
        server.add_fault(site, "/xem-1", Fault(redirect=inner.base_url + "/admin"), times=1)
        with pytest.raises(FetchError) as info:
            f.get("http://sldtbxh.fixture.test/xem-1")
        assert info.value.kind == "scope" and "private address" in info.value.reason
        with pytest.raises(FetchError):
            f.get(inner.base_url + "/")
        assert intranet.requests_for(inner) == []


def test_a_tls_failure_names_the_site_and_the_option(site: FixtureSite, server: FixtureServer, clock: FakeTime) -> None:
    f = fetcher(site, clock, retries=0)
    with pytest.raises(FetchError) as info:
        f.get(site.base_url.replace("http://", "https://") + "/")
    message = str(info.value)
    assert info.value.kind == "tls"
    assert site.name in message and "ca_bundle" in message and "verify: false" in message


def test_dns_failures_are_not_retried(clock: FakeTime) -> None:
    site = FixtureSite("nowhere", n_articles=1)
    site.base_url = "http://khong-ton-tai.invalid"
    f = fetcher(site, clock, backoff=5.0)
    with pytest.raises(FetchError) as info:
        f.get("http://khong-ton-tai.invalid/tin-tuc")
    assert info.value.kind == "dns" and clock.slept == []


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server on 127.0.0.1 whose certificate no system bundle trusts (a gov.vn
    server with an incomplete chain, as far as the client can tell); yields (url, ca.pem)."""
    import http.server
    import ssl

    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><body><p>Xin ch\xc3\xa0o</p></body></html>" if self.path != "/robots.txt" else b""
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}", pem
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("setting", ["ca_bundle", "verify_false"])
def test_a_sites_tls_setting_holds_whatever_the_environment_says(
    tls_server, setting: str, clock: FakeTime, monkeypatch: pytest.MonkeyPatch, recwarn: pytest.WarningsRecorder
) -> None:
    """REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE override a requests session's own `verify`: the
    site's ca_bundle (or verify: false) must still be the one used, and say nothing more."""
    import certifi

    url, pem = tls_server
    site = FixtureSite("tls", n_articles=1)
    site.base_url = url
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.setenv(name, certifi.where())
    plain = Fetcher(site_config(site, start_urls=(url + "/",), retries=0), gate=HostGate(clock.clock, clock.sleep))
    with pytest.raises(FetchError) as info:
        plain.get(url + "/tin")
    assert info.value.kind == "tls"
    overrides = {"ca_bundle": str(pem)} if setting == "ca_bundle" else {"verify": False}
    f = Fetcher(site_config(site, start_urls=(url + "/",), retries=0, **overrides), gate=HostGate(clock.clock, clock.sleep))
    page = f.get(url + "/tin")
    assert page.status == 200 and "Xin chào" in page.body.decode("utf-8")
    assert [w for w in recwarn if "Unverified HTTPS" in str(w.message)] == []
