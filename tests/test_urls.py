"""URL identity and scope: which URLs are one page, and which a site may fetch."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.urls import (
    canonical,
    in_scope,
    is_private_host,
    looks_like_listing_url,
    trust_canonical,
    url_key,
    url_variants,
)

A = "https://sldtbxh.kontum.gov.vn/tin-tuc/Bai-viet-10349"


@pytest.mark.parametrize(
    "variant",
    [
        "HTTPS://SLDTBXH.KonTum.gov.vn/tin-tuc/Bai-viet-10349",
        "https://sldtbxh.kontum.gov.vn:443/tin-tuc/Bai-viet-10349",
        "https://sldtbxh.kontum.gov.vn/tin-tuc/Bai-viet-10349#binh-luan",
        "https://sldtbxh.kontum.gov.vn/tin-tuc/Bai-viet-10349?utm_source=zalo&fbclid=x",
        "https://sldtbxh.kontum.gov.vn/tin-tuc/Bai-viet-10349;jsessionid=ABC123",
        "https://sldtbxh.kontum.gov.vn/tin-tuc/Bai-viet-10349?PHPSESSID=1",
        "https://sldtbxh.kontum.gov.vn//tin-tuc/Bai-viet-10349",
    ],
)
def test_one_page_under_many_spellings(variant: str) -> None:
    assert canonical(variant) == A


def test_query_is_sorted_and_escapes_normalised() -> None:
    assert canonical("http://a.gov.vn/x?b=2&a=1") == "http://a.gov.vn/x?a=1&b=2"
    assert canonical("http://a.gov.vn/%7euser") == canonical("http://a.gov.vn/~user")
    assert canonical("http://a.gov.vn/tin-tức") == "http://a.gov.vn/tin-t%E1%BB%A9c"


def test_the_looser_key_ignores_www_trailing_slash_and_default_documents() -> None:
    key = url_key("https://a.gov.vn/tin-tuc")
    for variant in ("https://www.a.gov.vn/tin-tuc/", "https://A.gov.vn/tin-tuc/index.html",
                    "https://www.a.gov.vn/tin-tuc/default.aspx?utm_campaign=x"):
        assert url_key(variant) == key
    assert url_key("https://a.gov.vn/tin-tuc?page=2") != key
    assert url_key("http://a.gov.vn/") == "http://a.gov.vn/"


def test_variants_cover_www_and_the_slash() -> None:
    assert set(url_variants("https://a.gov.vn/x/")) == {
        "https://a.gov.vn/x/", "https://a.gov.vn/x", "https://www.a.gov.vn/x/", "https://www.a.gov.vn/x",
    }
    assert url_variants("https://www.a.gov.vn/") == ["https://www.a.gov.vn/", "https://a.gov.vn/"]


def test_canonical_links_that_are_not_trusted() -> None:
    assert trust_canonical(A, A + "?utm_source=x") == A
    assert trust_canonical(A, "https://sldtbxh.kontum.gov.vn/") is None          # the home page: a template bug
    assert trust_canonical(A, "https://other.gov.vn/tin-tuc/Bai-viet-1") is None  # another site
    assert trust_canonical(A, "https://sldtbxh.kontum.gov.vn/tin-tuc?page=3") is None  # a listing
    assert trust_canonical(A, None) is None


def test_listing_urls() -> None:
    for url in ("http://a.gov.vn/tin-tuc?page=3", "http://a.gov.vn/vi/news/cat/page-2/",
                "http://a.gov.vn/tin-tuc/trang-37.html", "https://a.gov.vn/page/2/"):
        assert looks_like_listing_url(url), url
    assert not looks_like_listing_url(A)


def test_scope_is_the_sites_own_hosts_and_ports() -> None:
    hosts = ("sldtbxh.kontum.gov.vn", "127.0.0.1:8001")
    assert in_scope("https://www.sldtbxh.kontum.gov.vn/a", hosts)
    assert in_scope("http://127.0.0.1:8001/a", hosts)
    assert not in_scope("http://127.0.0.1:8002/a", hosts)
    assert not in_scope("https://kontum.gov.vn/a", hosts)
    assert not in_scope("ftp://sldtbxh.kontum.gov.vn/a", hosts)
    assert not in_scope("https://sldtbxh.kontum.gov.vn.evil.example/a", hosts)


@pytest.mark.parametrize(
    ("host", "private"),
    [("127.0.0.1", True), ("10.0.0.5", True), ("192.168.1.1", True), ("169.254.169.254", True),
     ("[::1]", True), ("localhost", True), ("printer.local", True), ("0.0.0.0", True),
     ("::ffff:10.0.0.1", True), ("8.8.8.8", False), ("khong-ton-tai.invalid", False)],
)
def test_private_addresses(host: str, private: bool) -> None:
    assert is_private_host(host) is private


@given(st.text(alphabet="abcdefghij-/?=&#.%", max_size=30))
def test_canonical_is_idempotent(path: str) -> None:
    url = "http://a.gov.vn/" + path
    assert canonical(canonical(url)) == canonical(url)
    assert url_key(url_key(url)) == url_key(url)


@pytest.mark.parametrize("param", ["sid=123", "src=rss", "source=home", "from=tin-noi-bat", "ref=2", "share=1", "spm=a"])
def test_parameters_a_site_may_use_for_its_own_pages_are_kept(param: str) -> None:
    """PHP-Nuke's `modules.php?name=News&file=article&sid=123` names the article by `sid`;
    `src`, `source`, `from`, `ref` and `share` may be a portal's own parameters too."""
    assert param in canonical(f"http://a.gov.vn/modules.php?name=News&file=article&{param}").split("?")[1].split("&")
    assert canonical("http://a.gov.vn/modules.php?name=News&file=article&sid=123") != canonical(
        "http://a.gov.vn/modules.php?name=News&file=article&sid=124"
    )


@pytest.mark.parametrize(
    "noise",
    ["sid=8f14e45fceea167a5a36dedd4bea2543", "PHPSESSID=abc", "ASPSESSIONIDQASCTRDB=KJHGF", "jsessionid=1",
     "utm_campaign=x", "fbclid=IwAR0", "gclid=Cj0", "msclkid=1", "zarsrc=30", "_ga=2.1"],
)
def test_session_tokens_and_click_ids_are_dropped(noise: str) -> None:
    assert canonical(f"http://a.gov.vn/tin?id=5&{noise}") == "http://a.gov.vn/tin?id=5"
