"""The config that points the harvester at running sample sites."""

from __future__ import annotations

from ..config import Config, parse_config
from .sitegen import FixtureSite

__all__ = ["demo_config"]


def demo_config(sites: list[FixtureSite], **site_settings: object) -> Config:
    """A Config for sample sites already being served (their base_url set), with no delay."""
    return parse_config(
        {
            "defaults": {"delay": 0, "timeout": 10},
            "sites": [
                {
                    "name": s.name,
                    "province": "Kon Tum",
                    "department": s.site_title,
                    "start_urls": s.start_urls(),
                    **site_settings,
                }
                for s in sites
            ],
        },
        source="demo",
    )
