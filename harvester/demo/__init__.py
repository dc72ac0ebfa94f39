"""Sample department sites served on 127.0.0.1: for `harvester demo`, the tests and the
benchmarks. `sitegen` makes a site (articles, listings, feed, sitemap) from templates;
`server` serves one or more of them, with faults injected where a test asks."""

from .server import Fault, FixtureServer
from .sitegen import FixtureArticle, FixtureSite

__all__ = ["Fault", "FixtureArticle", "FixtureServer", "FixtureSite"]
