"""The one exception a parser raises: ParseError, carrying the URL and the reason.

A parser never returns an empty article; when it cannot find one it says why, so the
harvester can record the page and the reason instead of dropping it silently.
"""

from __future__ import annotations


class ParseError(Exception):
    """The page is not an article this parser can read.

    >>> raise ParseError("https://example.gov.vn/x", "no article title found")
    Traceback (most recent call last):
    parsers.errors.ParseError: https://example.gov.vn/x: no article title found
    """

    def __init__(self, url: str, reason: str, *, definite: bool = False) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        # True when the page is surely not an article (a listing, an error or login page, an
        # empty body), so another parser need not try it.
        self.definite = definite
