"""SIGTERM and SIGINT for the commands that write (`run`, `schedule`, `demo`): the first
signal asks the harvest to stop after the article in hand (committed; the run recorded as
"interrupted"; exit 0); a second one stops at once, as if no handler were installed.

The library never installs handlers: it only asks `should_stop()` between articles. The
command layer owns the process, so it owns its signals.

    with GracefulStop() as stop:
        harvest(config, archive, should_stop=stop)
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

__all__ = ["GracefulStop"]

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class GracefulStop:
    """A stop flag set by SIGTERM/SIGINT; call it to ask whether to stop."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_name: str | None = None
        self._previous: dict[int, Any] = {}
        self._callbacks: list[Callable[[], None]] = []

    def __call__(self) -> bool:
        return self.event.is_set()

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Run `callback` (in a thread of its own) when the first signal arrives."""
        self._callbacks.append(callback)

    def request(self, reason: str = "stop requested") -> None:
        if self.event.is_set():
            return
        self.signal_name = reason
        self.event.set()
        for cb in self._callbacks:
            threading.Thread(target=cb, name="graceful-stop", daemon=True).start()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        log.warning(
            "%s: finishing the article in hand, then stopping (send it again to stop at once)", name
        )
        for sig, previous in self._previous.items():  # a second signal acts as if we were not here
            signal.signal(sig, previous)
        self.request(name)

    def __enter__(self) -> GracefulStop:
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                self._previous[sig] = signal.getsignal(sig)
                signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()
