"""The web view: Datasette metadata that describes the whole schema, canned queries that
answer the common questions, FTS when the archive has it, and a real headless browser that
searches a Vietnamese phrase through `harvester serve` and sees the article."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester.analytics import top_growth
from harvester.cli import cli
from harvester.store import Archive
from harvester.web import METADATA_FILE, metadata_for

EDIT = "Dự kiến hoàn thành trong tháng 12"  # a phrase only the edited article's latest version has


@pytest.fixture
def db(three_nights: dict, tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    shutil.copy(three_nights["db"], path)
    return path


def _get(db: Path, path: str, metadata: dict | None = None) -> tuple[int, str]:
    from datasette.app import Datasette

    async def go() -> tuple[int, str]:
        ds = Datasette([str(db)], metadata=metadata or metadata_for(db))
        await ds.invoke_startup()
        response = await ds.client.get(path)
        return response.status_code, response.text

    return asyncio.run(go())


def test_every_table_view_and_column_is_described(db: Path) -> None:
    meta = metadata_for(db)
    tables = meta["databases"]["archive"]["tables"]
    conn = sqlite3.connect(db)
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%'"
    )]
    virtual = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")]
    names = [n for n in names if not any(n.startswith(v + "_") for v in virtual)]  # FTS5 shadow tables
    undescribed = []
    for name in names:
        if name not in tables or not tables[name].get("description"):
            undescribed.append(name)
            continue
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
        undescribed += [f"{name}.{c}" for c in columns if not tables[name].get("columns", {}).get(c)]
    assert undescribed == [], f"describe these in {METADATA_FILE} (and docs/schema.md)"


def test_the_schema_doc_names_every_view(db: Path) -> None:
    doc = (Path(__file__).parent.parent / "docs" / "schema.md").read_text(encoding="utf-8")
    views = [r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type = 'view'")]
    assert [v for v in views if f"`{v}`" not in doc] == []


def test_search_without_diacritics_finds_the_article(db: Path, three_nights: dict) -> None:
    status, body = _get(db, "/archive/search.json?_shape=array&q=du+kien+hoan+thanh+trong+thang+12")
    assert status == 200
    rows = json.loads(body)
    assert [r["url"] for r in rows] == [three_nights["site"].url_of(three_nights["edited"])]
    status, body = _get(db, f"/archive/search.json?_shape=array&q={EDIT.upper()}")
    assert len(json.loads(body)) == 1
    status, body = _get(db, "/archive/search.json?_shape=array&q=")
    assert json.loads(body) == []


def test_top_growing_articles_agrees_with_harvester_views(db: Path) -> None:
    status, body = _get(db, "/archive/top_growing_articles.json?_shape=array&days=100000&site=")
    assert status == 200
    canned = [(r["article_id"], r["growth"], r["growth_per_day"]) for r in json.loads(body)]
    with Archive.open(db) as archive:
        python = [(r["article_id"], r["growth"], r["growth_per_day"]) for r in top_growth(archive, since="0", limit=100)]
    assert canned == python and len(canned) == 13  # the deleted article was counted only once


def test_article_history_by_url_shows_versions_and_events(db: Path, three_nights: dict) -> None:
    old_url = three_nights["urls_night1"][three_nights["moved_from"].id]
    status, body = _get(db, f"/archive/article_history.json?_shape=array&article={old_url}")
    rows = json.loads(body)
    assert [r["what"] for r in rows] == ["version 1", "moved"]
    gone = three_nights["site"].url_of(three_nights["deleted"])
    rows = json.loads(_get(db, f"/archive/article_history.json?_shape=array&article={gone}")[1])
    assert [r["what"] for r in rows] == ["version 1", "missing", "missing", "gone"]


def test_the_search_query_and_search_box_use_fts(db: Path) -> None:
    meta = metadata_for(db)
    archive_meta = meta["databases"]["archive"]
    assert archive_meta["tables"]["latest_versions"]["fts_table"] == "search_fts"
    assert "search_fts MATCH" in archive_meta["queries"]["search"]["sql"]
    rows = json.loads(_get(db, f"/archive/search.json?_shape=array&q={EDIT}", meta)[1])
    assert len(rows) == 1 and "[" in rows[0]["snippet"]
    # folded like the harvester's own search: no diacritics needed
    from parsers.normalise import search_key

    rows = json.loads(_get(db, f"/archive/search.json?_shape=array&q={search_key(EDIT)}", meta)[1])
    assert len(rows) == 1
    status, body = _get(db, f"/archive/latest_versions.json?_shape=array&_search={search_key(EDIT)}", meta)
    assert status == 200 and len(json.loads(body)) == 1
    # hostile input is searched as text, never an FTS syntax error
    assert _get(db, '/archive/search.json?_shape=array&q=" OR (', meta)[0] == 200


def test_an_archive_without_fts_falls_back_to_a_scan(db: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copy(db, old)
    conn = sqlite3.connect(old)
    for table in ("search_fts_vocab", "search_fts", "search_accents_fts"):
        conn.execute(f"DROP TABLE {table}")
    conn.commit()
    conn.close()
    meta = metadata_for(old)
    assert all("fts_table" not in t for t in meta["databases"]["old"]["tables"].values())
    assert "vn_fold" in meta["databases"]["old"]["queries"]["search"]["sql"]


def test_a_plain_datasette_gets_the_metadata_through_the_plugin(db: Path) -> None:
    from datasette.app import Datasette

    async def go() -> tuple[int, str]:
        ds = Datasette([str(db)])  # no metadata given
        await ds.invoke_startup()
        r = await ds.client.get("/archive/search.json?_shape=array&q=giam+ngheo")
        return r.status_code, r.text

    status, body = asyncio.run(go())
    assert status == 200 and len(json.loads(body)) > 0


def test_serve_prints_its_metadata(db: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--print-metadata"])
    assert result.exit_code == 0
    assert set(json.loads(result.stdout)["databases"]["archive"]["queries"]) >= {"search", "top_growing_articles", "article_history"}
    assert CliRunner().invoke(cli, ["serve", "--db", str(db.parent / "none.db")]).exit_code == 1


# --- a real browser -------------------------------------------------------------------------

CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")


def _chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver. scripts/setup.sh (./test.sh) installs them with
    apt-get when it runs as root; only where it cannot (not root, no apt-get) is the test
    skipped, and never in CI."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    installable = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")
    if os.environ.get("CI") or installable:
        pytest.fail("chromium and chromium-driver are missing although this machine can install them: "
                    "run ./test.sh (scripts/setup.sh test installs them) or apt-get install chromium chromium-driver")
    pytest.skip("chromium/chromium-driver are not installed and cannot be installed here (not root, or no "
                "apt-get): sudo apt-get install chromium chromium-driver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(db: Path) -> Iterator[str]:
    """`harvester serve` in its own process; yields the database's base URL."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "harvester", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/archive"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + ".json", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise AssertionError(f"harvester serve did not start: {proc.communicate()[0]}") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def test_a_browser_searches_a_vietnamese_phrase_and_sees_the_article(served: str, three_nights: dict, tmp_path: Path) -> None:
    browser, driver_path = _chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*CHROME_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.set_page_load_timeout(60)
        driver.get(served + "/search")
        assert "Search articles" in driver.page_source
        box = driver.find_element(By.NAME, "q")
        box.send_keys(EDIT.lower())  # typed as a reader would, lower case
        driver.find_element(By.CSS_SELECTOR, "form input[type=submit]").click()
        wait = WebDriverWait(driver, 30)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.rows-and-columns tbody tr")))
        rows = driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        assert len(rows) == 1
        title = three_nights["edited"].title
        assert title in rows[0].text
        driver.save_screenshot(str(tmp_path / "search.png"))
        # the article id links to its history: both versions, the new sentence in the second
        rows[0].find_element(By.CSS_SELECTOR, "a[href*='article_history']").click()
        wait.until(ec.url_contains("article_history"))
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.rows-and-columns tbody tr")))
        history = driver.find_element(By.CSS_SELECTOR, "table.rows-and-columns").text
        assert "version 1" in history and "version 2" in history
        assert title in history and EDIT in history
        driver.save_screenshot(str(tmp_path / "history.png"))
    finally:
        driver.quit()
