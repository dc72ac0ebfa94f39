"""Every error the harvester raises on purpose, in one small tree.

    HarvestError
    ├── ConfigError      config.yaml is missing or malformed; names the place (sites[2].name)
    ├── FetchError       a URL could not be fetched; carries the URL, the site and the reason
    │   ├── SiteUnreachable   no start URL of a site answered: the site is down or gone
    │   └── OffsiteRedirect   a redirect to another host, not followed (a moved site)
    ├── StoreError       the archive cannot be opened or written
    │   └── NotFound     the archive holds no such article (URL or id)
    └── LockError        another harvest holds the archive

`parsers.errors.ParseError` (a page that is not a readable article) lives with the parsers,
which must not import the harvester; the pipeline records it like a FetchError.
"""

from __future__ import annotations

from parsers.errors import ParseError

__all__ = [
    "ConfigError",
    "FetchError",
    "HarvestError",
    "LockError",
    "NotFound",
    "OffsiteRedirect",
    "ParseError",
    "SiteUnreachable",
    "StoreError",
]


class HarvestError(Exception):
    """Base of the harvester's own errors."""


class ConfigError(HarvestError):
    """A config problem, named by its place: `sites[2].start_urls: expected a list of URLs`."""

    def __init__(self, where: str, message: str, source: str | None = None) -> None:
        self.where = where
        self.message = message
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{where}: {message}" if where else f"{prefix}{message}")


class FetchError(HarvestError):
    """A URL that could not be fetched. `kind` is a short machine-readable class of failure
    (timeout, connection, truncated, dns, tls, http, too_large, content_type, robots, redirects,
    offsite, scope, deferred)."""

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        kind: str = "fetch",
        status: int | None = None,
        site: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.url = url
        self.retry_after = retry_after
        self.reason = reason
        self.kind = kind
        self.status = status
        self.site = site
        where = f"[{site}] " if site else ""
        super().__init__(f"{where}{url}: {reason}")


class SiteUnreachable(FetchError):
    """None of a site's start URLs could be fetched."""


class StoreError(HarvestError):
    """The archive could not be opened, migrated or written."""


class NotFound(StoreError):
    """The archive holds no article at that URL or id."""


class LockError(HarvestError):
    """Another harvest holds the archive's lock."""


class OffsiteRedirect(FetchError):
    """A redirect to a host outside the site's own: not followed (we fetch only the site's
    hosts). `target` is where it pointed; a start URL that does this means the site moved."""

    def __init__(self, url: str, target: str, hosts: tuple[str, ...], *, site: str | None = None) -> None:
        self.target = target
        super().__init__(
            url, f"redirects to {target}, outside the site's hosts ({', '.join(hosts)}); not followed",
            kind="offsite", site=site,
        )
