"""The notify hook: validated in the config, sent when there is something to tell, and
never able to fail the run it reports."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harvester.config import Notify, parse_config
from harvester.errors import ConfigError
from harvester.notify import notify, wants

SITE = {"name": "a", "province": "P", "department": "D", "start_urls": ["https://a.gov.vn/"]}
REPORT = {
    "run_id": 7,
    "status": "partial",
    "problems": True,
    "archive": "a.db",
    "health": [{"site": "a", "flag": "fill_drop", "field": "views"}],
    "text": "tiếng Việt",
}


@pytest.mark.parametrize(
    ("notify_value", "message"),
    [
        ("mail ops@example.org", "notify: expected a mapping with 'command'"),
        ({}, "notify: give a 'command' to run or a 'url' to POST to"),
        ({"url": "hooks.example.org"}, "notify.url: expected an http(s) URL"),
        ({"command": ""}, "notify.command: expected a non-empty string"),
        ({"command": []}, "notify.command: expected a command line or a non-empty list"),
        ({"command": "true", "when": "sometimes"}, "notify.when: expected 'problems' or 'always'"),
        ({"command": "true", "timeout": 0}, "notify.timeout: must be at least 1"),
        ({"command": "true", "urls": ["x"]}, "notify.urls: unknown setting (did you mean 'url'?)"),
    ],
)
def test_bad_notify_settings_name_their_place(notify_value: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"sites": [SITE], "notify": notify_value})
    assert message in str(info.value)


def test_notify_settings_are_read() -> None:
    config = parse_config(
        {
            "sites": [SITE],
            "notify": {"command": ["mail", "-s", "x", "ops"], "url": "https://h.example/x"},
        }
    )
    assert config.notify == Notify(
        command=("mail", "-s", "x", "ops"), url="https://h.example/x", when="problems", timeout=30.0
    )
    assert parse_config({"sites": [SITE]}).notify is None


def test_only_problems_are_sent_unless_always() -> None:
    assert wants(Notify(command="true"), {"problems": True})
    assert not wants(Notify(command="true"), {"problems": False})
    assert wants(Notify(command="true", when="always"), {"problems": False})
    assert not wants(None, {"problems": True})


def test_the_command_gets_the_report_on_stdin_and_an_outline_in_its_environment(
    tmp_path: Path,
) -> None:
    out = tmp_path / "got"
    script = (
        "import os, sys; open(sys.argv[1], 'w', encoding='utf-8').write(json.dumps({'env': "
        "[os.environ['HARVESTER_' + k] for k in ('RUN_ID', 'STATUS', 'FLAGS', 'ARCHIVE')],"
        " 'report': json.load(sys.stdin)}))"
    )
    (delivery,) = notify(
        Notify(command=(sys.executable, "-c", "import json; " + script, str(out))), REPORT
    )
    assert delivery.ok, delivery.detail
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["env"] == ["7", "partial", "1", "a.db"]
    assert got["report"] == REPORT


def test_a_failing_command_is_reported_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    (failed,) = notify(Notify(command="echo broken mailer >&2; exit 3"), REPORT)
    assert not failed.ok and failed.detail == "exited with status 3: broken mailer"
    (missing,) = notify(Notify(command=("/nonexistent/mailer",)), REPORT)
    assert not missing.ok and "not found" in missing.detail
    (slow,) = notify(
        Notify(command=(sys.executable, "-c", "import time; time.sleep(5)"), timeout=1), REPORT
    )
    assert not slow.ok and "killed" in slow.detail
    assert "notify command: exited with status 3" in caplog.text


class _Flaky(BaseHTTPRequestHandler):
    answers: list[int] = []
    bodies: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802
        type(self).bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(type(self).answers.pop(0))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[str, type[_Flaky]]]:
    handler = type("Flaky", (_Flaky,), {"answers": [], "bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", handler
    server.shutdown()
    server.server_close()


def test_the_webhook_is_retried_once_after_a_server_error(
    hook: tuple[str, type[_Flaky]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("harvester.notify.RETRY_DELAY", 0.01)
    url, handler = hook
    handler.answers[:] = [503, 200]
    (delivery,) = notify(Notify(url=url), REPORT)
    assert delivery.ok and delivery.detail == "HTTP 200"
    assert len(handler.bodies) == 2 and json.loads(handler.bodies[1]) == REPORT
    handler.answers[:] = [404]
    (refused,) = notify(Notify(url=url), REPORT)
    assert (
        not refused.ok and refused.detail == "HTTP 404" and len(handler.bodies) == 3
    )  # a 4xx is not retried
