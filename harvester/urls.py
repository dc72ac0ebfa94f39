"""URL identity and scope: when two URLs are the same article, and which URLs a site may fetch.

`canonical(url)` is the archive's key for an article when the page gives no trustworthy
canonical link: scheme and host lowercased, default port, fragment, tracking and session
parameters dropped, query sorted, percent-escapes normalised. It stays a URL the site
answers (failed URLs are re-fetched by it), so "www." and a trailing slash are kept as the
site writes them. `url_key(url)` is the looser identity used to tell whether two URLs are
the same page: also without "www.", a trailing slash or an `index.html`-style default
document; `url_variants(url)` lists the canonical forms that share one key, for look-ups.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
import threading
import time
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from parsers.listing import same_host
from parsers.pagination import page_number

__all__ = [
    "canonical", "host_of", "netloc_of", "in_scope", "is_private_host", "trust_canonical",
    "url_key", "url_variants", "looks_like_listing_url",
]

# Parameters that never name a page: analytics campaign tags and click ids, and session
# tokens. Names a portal may use for its own pages (`sid` in PHP-Nuke's
# `modules.php?name=News&file=article&sid=123`, `src`, `source`, `from`, `ref`, `share`) are kept.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|gclsrc|gbraid|wbraid|dclid|msclkid|yclid|igshid|ttclid|twclid|zarsrc|"
    r"_ga|_gl|mc_cid|mc_eid|__twitter_impression)$",
    re.I,
)
_SESSION = re.compile(r"^(jsessionid|phpsessid|sessionid|session_id|aspsessionid\w*|cfid|cftoken|__viewstate|__eventvalidation)$", re.I)
# `sid` is a session id only when it looks like one: a long token with letters in it
# (PHP's 26-32 characters), not an article number
_SESSION_SID = re.compile(r"^(?=.*[a-z])[0-9a-z]{16,}$", re.I)
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"


def _split(url: str) -> SplitResult | None:
    """urlsplit, or None for a URL that cannot be read: an unclosed IPv6 bracket
    ("http://[bad/x.pdf"), a port that is not a number or out of range."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        return None
    return parts


def host_of(url: str) -> str:
    parts = _split(url)
    return (parts.hostname or "").lower() if parts else ""


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _requote(part: str, safe: str) -> str:
    # unquote then quote again: %7e and ~ become one form, raw Unicode becomes %XX
    return quote(unquote(part), safe=safe)


def canonical(url: str) -> str:
    """The normalised form of a URL.

    >>> canonical("HTTPS://Sldtbxh.KonTum.gov.vn:443/tin-tuc/Bai-viet-10349?utm_source=fb&b=2&a=1#top")
    'https://sldtbxh.kontum.gov.vn/tin-tuc/Bai-viet-10349?a=1&b=2'

    A URL that cannot be read is its own canonical form (it is never fetched: it is out of
    every site's scope):

    A page's own parameters stay, even those named like tracking ones (`sid`, `src`, `from`):

    >>> canonical("http://a.gov.vn/modules.php?name=News&file=article&sid=123&utm_source=zalo")
    'http://a.gov.vn/modules.php?file=article&name=News&sid=123'
    >>> canonical("http://a.gov.vn/modules.php?name=News&file=article&sid=124")
    'http://a.gov.vn/modules.php?file=article&name=News&sid=124'
    >>> canonical("http://a.gov.vn/tin?id=5&sid=8f14e45fceea167a5a36dedd4bea2543")
    'http://a.gov.vn/tin?id=5'

    >>> canonical(" http://[bad/x.pdf")
    'http://[bad/x.pdf'
    """
    parts = _split(url.strip())
    if parts is None:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii") if host and not host.isascii() else host
    except UnicodeError:
        pass
    port = parts.port if parts.port and parts.port != _DEFAULT_PORTS.get(scheme) else None
    netloc = f"{host}:{port}" if port else host
    path = _PATH_SESSION.sub("", parts.path) or "/"
    path = re.sub(r"/{2,}", "/", path)
    path = _requote(path, _SAFE_PATH)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.match(k) and not _SESSION.match(k) and not (k.lower() == "sid" and _SESSION_SID.match(v))
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, quote_via=quote, safe="/:@,;"), ""))


_DEFAULT_DOCS = re.compile(r"/(index|default|home)\.(html?|php|aspx?|jsp)$", re.I)


def url_key(url: str) -> str:
    """The identity of a page: `canonical()` without a leading "www.", a trailing slash or a
    default document. Two URLs with one key are one page (Scrapy #2017, #1225).

    >>> url_key("https://www.sldtbxh.kontum.gov.vn/tin-tuc/?utm_source=zalo")
    'https://sldtbxh.kontum.gov.vn/tin-tuc'
    >>> url_key("http://a.gov.vn/tin-tuc/index.html") == url_key("http://a.gov.vn/tin-tuc")
    True
    """
    parts = _split(canonical(url))
    if parts is None:
        return canonical(url)
    host = _bare(parts.netloc)
    path = _DEFAULT_DOCS.sub("/", parts.path)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, host, path, parts.query, ""))


def url_variants(url: str) -> list[str]:
    """The canonical forms that share `url`'s key: with and without "www." and a trailing
    slash (the archive stores canonical forms; look any of these up)."""
    parts = _split(canonical(url))
    if parts is None:
        return [canonical(url)]
    host = parts.netloc
    hosts = [host, _bare(host)] if host.startswith("www.") else [host, f"www.{host}"]
    path = parts.path
    paths = [path] if path == "/" else [path, path.rstrip("/") or "/"] if path.endswith("/") else [path, path + "/"]
    return [urlunsplit((parts.scheme, h, p, parts.query, "")) for h in hosts for p in paths]


def looks_like_listing_url(url: str) -> bool:
    """A pagination URL (`?page=3`, `/page-3/`, `/trang-3.html`, `/page/3/`, and `?p=3`,
    which is a page on some portals and a post on WordPress: parsers/pagination.py)."""
    if _split(url) is None:
        return False
    return page_number(url, weak=True) is not None


def trust_canonical(page_url: str, canonical_link: str | None) -> str | None:
    """The page's `<link rel=canonical>` when it is trustworthy: same site, not the home
    page (a template bug many portals share), and not a listing page."""
    if not canonical_link:
        return None
    link, page = _split(canonical_link), _split(page_url)
    if link is None or page is None or not same_host(page_url, canonical_link):
        return None
    path = link.path
    if path in ("", "/") and page.path not in ("", "/"):
        return None
    if looks_like_listing_url(canonical_link) and not looks_like_listing_url(page_url):
        return None
    return canonical(canonical_link)


_PRIVATE_CACHE: dict[str, tuple[float, bool]] = {}
_PRIVATE_LOCK = threading.Lock()
_PRIVATE_TTL = 600.0


def is_private_host(host: str) -> bool:
    """True for loopback, private, link-local and reserved addresses (and names resolving to
    them). Names that do not resolve count as public: the fetch will fail on its own. A
    name's answer is remembered for ten minutes.

    >>> is_private_host("127.0.0.1"), is_private_host("10.1.2.3"), is_private_host("8.8.8.8")
    (True, True, False)
    """
    host = host.strip("[]").lower().rstrip(".")
    if host in ("localhost",) or host.endswith(".localhost") or host.endswith(".local"):
        return True
    try:
        addrs = [ipaddress.ip_address(host)]
    except ValueError:
        with _PRIVATE_LOCK:
            hit = _PRIVATE_CACHE.get(host)
        if hit and time.monotonic() - hit[0] < _PRIVATE_TTL:
            return hit[1]
        try:
            infos = socket.getaddrinfo(host, None)
            addrs = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        except (socket.gaierror, UnicodeError, OSError, ValueError):
            addrs = []
        answer = any(_private(a) for a in addrs)
        with _PRIVATE_LOCK:
            _PRIVATE_CACHE[host] = (time.monotonic(), answer)
        return answer
    return any(_private(a) for a in addrs)


def _private(a: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped:
        a = a.ipv4_mapped
    return a.is_private or a.is_loopback or a.is_link_local or a.is_reserved or a.is_multicast or a.is_unspecified


def netloc_of(url: str) -> str:
    """'host' or 'host:port' when the URL names a non-default port."""
    parts = _split(url)
    if parts is None:
        return ""
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{host}:{port}"
    return host


def in_scope(url: str, hosts: tuple[str, ...] | list[str]) -> bool:
    """True when the URL is http(s) on one of the site's hosts ('www.' ignored). A host given
    with a port ('127.0.0.1:8001') matches that port only.

    >>> in_scope("https://www.sldtbxh.kontum.gov.vn/a-1", ("sldtbxh.kontum.gov.vn",))
    True
    >>> in_scope("http://127.0.0.1:9/a", ("127.0.0.1:8001",))
    False
    """
    parts = _split(url)
    if parts is None or parts.scheme not in ("http", "https"):
        return False
    here = netloc_of(url)
    host = _bare(here.split(":")[0])
    for h in hosts:
        h = h.lower()
        if ":" in h:
            if _bare(h) == _bare(here):
                return True
        elif host == _bare(h):
            return True
    return False


# Keys are stored (urls.url_key, article_urls.url_key): when the rules above change, the stored
# keys must be recomputed, or a night would stop recognising the URLs it holds. The rules'
# fingerprint is their answer on URLs that exercise each of them; the archive keeps the one
# its keys were computed with (key_rules) and re-keys when it differs.
_KEY_PROBES = (
    "https://www.sldtbxh.kontum.gov.vn/tin-tuc/?utm_source=zalo&sid=123&page=2#binh-luan",
    "HTTP://SoTuPhap.KonTum.gov.vn:80/Tin-Tuc/index.html",
    "https://stp.gov.vn/x?b=2&a=1&fbclid=abc&PHPSESSID=0123456789abcdef0123456789abcdef",
    "https://stp.gov.vn/x/default.aspx?src=rss&ref=home&from=zalo",
    "https://stp.gov.vn/portal/pages/2023/tin.aspx?ItemID=12&Page=3",
)
URL_KEY_RULE = hashlib.sha1("\n".join(url_key(u) for u in _KEY_PROBES).encode()).hexdigest()[:16]
