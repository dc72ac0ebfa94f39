"""Telling someone: the run report, as JSON, to the `notify:` command (on its stdin) and/or
webhook (POSTed), when a run ends with failures or health flags (or always, if asked).

A notification that fails is logged and never fails the run: the archive is what matters,
and `harvester status` still tells the story. The command also gets the outline in its
environment (HARVESTER_RUN_ID, HARVESTER_STATUS, HARVESTER_FLAGS, HARVESTER_ARCHIVE), so a
one-line shell command can write a subject without parsing JSON.

    notify:
      command: "mail -s \"harvest: $HARVESTER_STATUS, $HARVESTER_FLAGS flag(s)\" ops@example.org"
      url: https://hooks.example.org/harvest
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from .config import Notify

__all__ = ["Delivery", "notify", "wants"]

log = logging.getLogger(__name__)
RETRY_DELAY = 2.0  # seconds before the one retry of a webhook


@dataclass(frozen=True)
class Delivery:
    target: str  # "command" or the URL
    ok: bool
    detail: str


def wants(settings: Notify | None, report: Mapping[str, Any]) -> bool:
    """Whether this report should be sent: problems (a failure or a flag), or always."""
    if settings is None:
        return False
    return settings.when == "always" or bool(report.get("problems"))


def notify(
    settings: Notify, report: Mapping[str, Any], *, user_agent: str = "provincial-news-archive"
) -> list[Delivery]:
    """Send the report to every configured target; returns what happened to each."""
    blob = json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")
    out: list[Delivery] = []
    if settings.command is not None:
        out.append(_run_command(settings, report, blob))
    if settings.url is not None:
        out.append(_post(settings, blob, user_agent))
    for d in out:
        (log.info if d.ok else log.warning)("notify %s: %s", d.target, d.detail)
    return out


def _run_command(settings: Notify, report: Mapping[str, Any], blob: bytes) -> Delivery:
    argv = (
        ["/bin/sh", "-c", settings.command]
        if isinstance(settings.command, str)
        else list(settings.command or ())
    )
    env = {
        **os.environ,
        "HARVESTER_RUN_ID": str(report.get("run_id", "")),
        "HARVESTER_STATUS": str(report.get("status", "")),
        "HARVESTER_FLAGS": str(len(report.get("health", []))),
        "HARVESTER_ARCHIVE": str(report.get("archive", "")),
    }
    try:
        proc = subprocess.run(
            argv, input=blob, capture_output=True, timeout=settings.timeout, env=env, check=False
        )
    except FileNotFoundError:
        return Delivery("command", False, f"{argv[0]}: command not found")
    except subprocess.TimeoutExpired:
        return Delivery("command", False, f"did not finish in {settings.timeout:g}s; killed")
    except OSError as exc:
        return Delivery("command", False, f"could not start: {exc}")
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip()[-300:]
        return Delivery(
            "command",
            False,
            f"exited with status {proc.returncode}" + (f": {tail}" if tail else ""),
        )
    return Delivery("command", True, "delivered")


def _post(settings: Notify, blob: bytes, user_agent: str) -> Delivery:
    assert settings.url is not None
    detail = ""
    for attempt in (1, 2):  # one retry: a webhook behind a restarting proxy deserves a second try
        try:
            response = requests.post(
                settings.url,
                data=blob,
                timeout=settings.timeout,
                allow_redirects=False,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "User-Agent": user_agent,
                },
            )
        except requests.RequestException as exc:
            detail = f"{type(exc).__name__}: {exc}"
        else:
            if 200 <= response.status_code < 300:
                return Delivery(settings.url, True, f"HTTP {response.status_code}")
            detail = f"HTTP {response.status_code}"
            if response.status_code < 500:
                break
        if attempt == 1:
            time.sleep(RETRY_DELAY)
    return Delivery(settings.url, False, detail)
