"""Extraction (issue 9, benchmark 1): our parsers and trafilatura side by side on the gold
corpus: accuracy per field and platform, body token F1, leaks, and pages per second.

    .venv/bin/pip install -e '.[bench]'          # trafilatura is a bench-only dependency
    .venv/bin/python -m bench.extraction          # corpus: tests/fixtures; ~1 minute
    .venv/bin/python -m bench.extraction --corpus /path/to/hidden/corpus --no-write

Target: at least 3x trafilatura's throughput, at higher accuracy. Prints the report and
appends it to bench/RESULTS.md with the machine's description (`--no-write`: print only).

Both tools start from the page's bytes: ours is `parsers.parse_bytes` (decode, detect the
platform, extract, normalise), trafilatura is `bare_extraction(bytes, url=…,
with_metadata=True)`. trafilatura has no view count and no captions; its date is a day.

Speed is measured three ways, because both tools memoise work on text (our line and word
memos; trafilatura's `trim`/`line_processing`, htmldate's date-expression memos), and a
benchmark that repeats 75 pages would otherwise time each page against memos it filled
itself:
- cold: every text memo of both tools cleared before each page (a fresh process's first
  page);
- harvest: the memos cleared once before each pass over the corpus, so a page meets the
  memos of the pages parsed before it, never its own. This is a harvest: one process
  parses page after page, each new. **The target is judged on this one.**
- repeat: nothing cleared, each page parsed again over memos it filled (an upper bound:
  a harvest stores an unchanged page without parsing it again).
Memos keyed by selectors and patterns (compiled CSS/XPath, label regexes) stay warm in
every mode, as trafilatura's XPaths, compiled at import, do. Each figure is the fastest of
`--repeat` passes (garbage collection paused in the pass, as `timeit` does), one process.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import pkgutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._results import append_results, load, table, verdict  # noqa: E402
from bench.score import (  # noqa: E402
    FIELDS,
    Case,
    PageScore,
    load_corpus,
    score_page,
    summarise,
    with_site_chrome,
)

Extractor = Callable[[Case], dict[str, Any]]
MODES = ("cold", "harvest", "repeat")
JUDGED = "harvest"

# Our memos keyed by data (selectors, label sets, patterns), not by page text: warm in all
# modes. Every other memo in parsers/ is cleared; a new memo is cleared unless named here.
OUR_DATA_MEMOS = frozenset(
    (
        "parsers.dom._compiled",
        "parsers.dom._needs",
        "parsers.labels._starts_rx",
        "parsers.labels._phrase_set",
        "parsers.platform._rx",
        "parsers.platform._literals",
        "parsers.survey.simple_selector",
    )
)
# trafilatura's (and htmldate's) memos keyed by page text; the others (stoplists, month
# names, date formats, URL filters) are data.
THEIR_TEXT_MEMOS = (
    "trafilatura.utils.trim",
    "trafilatura.utils.line_processing",
    "trafilatura.utils.return_printables_and_spaces",
    "htmldate.extractors.try_date_expr",
    "htmldate.validators._parse_and_validate",
    "htmldate.validators.filter_ymd_candidate",
)


def _our_text_memos() -> list[Any]:
    import parsers

    found = []
    for info in pkgutil.walk_packages(parsers.__path__, "parsers."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                hasattr(obj, "cache_clear")
                and getattr(obj, "__module__", "") == info.name
                and f"{info.name}.{name}" not in OUR_DATA_MEMOS
            ):
                found.append(obj)
    return found


def _their_text_memos() -> list[Any]:
    found = []
    for dotted in THEIR_TEXT_MEMOS:
        module, name = dotted.rsplit(".", 1)
        obj = getattr(importlib.import_module(module), name, None)
        if obj is None or not hasattr(obj, "cache_clear"):
            print(f"note: {dotted} is not a memo in this trafilatura version", file=sys.stderr)
            continue
        found.append(obj)
    return found


def ours(case: Case) -> dict[str, Any]:
    from parsers import parse_bytes

    return parse_bytes(case.raw, case.url, "text/html").as_dict()


def trafilatura_fields(case: Case) -> dict[str, Any]:
    import trafilatura

    doc = trafilatura.bare_extraction(
        case.raw, url=case.url, with_metadata=True, include_comments=False
    )
    if doc is None:
        return {
            "title": None,
            "published_at": None,
            "author": None,
            "views": None,
            "captions": [],
            "category": None,
            "body": "",
        }
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    cats = d.get("categories") or []
    if isinstance(cats, str):
        cats = [c for c in cats.split(";") if c.strip()]
    return {
        "title": d.get("title"),
        "published_at": d.get("date"),
        "author": d.get("author"),
        "views": None,
        "captions": [],
        "category": cats[0].strip() if cats else None,
        "body": d.get("text") or "",
    }


def run(cases: list[Case], extract: Extractor) -> list[PageScore]:
    scores = []
    for case in cases:
        try:
            scores.append(score_page(case, extract(case)))
        except Exception as exc:  # a tool's failure on a page is a wrong page, not a crash
            scores.append(score_page(case, None, f"{type(exc).__name__}: {exc}"))
    return scores


def throughput(
    cases: list[Case], extract: Extractor, memos: list[Any], mode: str, repeat: int
) -> float:
    """Pages per second in the fastest of `repeat` passes over the corpus (after a warm-up
    pass), with the text memos cleared as `mode` says (see the module docstring)."""

    def clear() -> None:
        for memo in memos:
            memo.cache_clear()

    for case in cases:
        with contextlib.suppress(Exception):
            extract(case)
    best = float("inf")
    for _ in range(repeat):
        if mode != "repeat":
            clear()
        gc.collect()
        gc.disable()  # as timeit does: one tool's garbage is not timed against the other
        try:
            spent = 0.0
            for case in cases:
                if mode == "cold":
                    clear()
                start = time.perf_counter()
                with contextlib.suppress(Exception):  # a refusal is work done too
                    extract(case)
                spent += time.perf_counter() - start
            best = min(best, spent)
        finally:
            gc.enable()
    return len(cases) / best


def versions() -> str:
    import lxml.etree

    parts = ["lxml " + ".".join(map(str, lxml.etree.LXML_VERSION[:3]))]
    with contextlib.suppress(ImportError):
        import trafilatura

        parts.append(f"trafilatura {trafilatura.__version__}")
    return ", ".join(parts)


_LABELS = {
    "title": "title",
    "published_at": "date",
    "published_day": "date (day)",
    "author": "author",
    "views": "views",
    "captions": "captions",
    "category": "category",
}


def _row(
    name: str, scores: list[PageScore], where: Callable[[PageScore], bool] = lambda s: True
) -> str:
    s = summarise(scores, where)
    cells = [f"{100 * s.accuracy[f]:.0f}%" for f in FIELDS]
    return (
        f"| {name} | {s.pages} | "
        + " | ".join(cells)
        + f" | {s.f1:.3f} | {s.min_f1:.3f} | {s.leaking_pages} |"
    )


def _on_platform(platform: str) -> Callable[[PageScore], bool]:
    return lambda s: s.case.platform == platform


def speed_table(speed: dict[str, dict[str, float]]) -> str:
    rows = []
    for mode in MODES:
        ours_pps = speed["ours"][mode]
        theirs = speed.get("trafilatura", {}).get(mode)
        rows.append(
            (
                f"**{mode}** (judged)" if mode == JUDGED else mode,
                f"{ours_pps:.0f}",
                f"{1000 / ours_pps:.2f}",
                f"{theirs:.0f}" if theirs else "",
                f"{1000 / theirs:.2f}" if theirs else "",
                f"{ours_pps / theirs:.1f}×" if theirs else "",
            )
        )
    return table(
        (
            "memos",
            "ours pages/s",
            "ours ms/page",
            "trafilatura pages/s",
            "trafilatura ms/page",
            "ratio",
        ),
        rows,
    )


def report(
    corpus: Path,
    cases: list[Case],
    results: dict[str, list[PageScore]],
    speed: dict[str, dict[str, float]],
    heavy: dict[str, list[PageScore]],
    heavy_speed: dict[str, dict[str, float]],
) -> tuple[str, str]:
    """(the report, its one-line verdict)."""
    head = (
        "| | pages | "
        + " | ".join(_LABELS[f] for f in FIELDS)
        + " | body F1 | worst F1 | pages with leaks |"
    )
    sep = "|" + "---|" * (len(FIELDS) + 5)
    size = sum(len(c.raw) for c in cases) / len(cases) / 1000
    heavy_size = sum(len(with_site_chrome(c).raw) for c in cases) / len(cases) / 1000
    lines = [
        f"Corpus `{corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus}`: "
        f"{len(cases)} article pages, {size:.1f} KB a page on average; {versions()}.",
        "Fields are exact matches with the gold JSON; body is token F1; a leak is a caption, the",
        "closing byline or a chrome line left in the body as a paragraph. trafilatura reports no",
        "views and no captions, and its date is a day (compare the date (day) column).",
        "",
        "### Accuracy",
        "",
        head,
        sep,
    ]
    lines += [_row(tool, scores) for tool, scores in results.items()]
    lines += ["", "Per platform:", "", head, sep]
    for plat in sorted({c.platform for c in cases}):
        for tool, scores in results.items():
            lines.append(_row(f"{plat} · {tool}", scores, _on_platform(plat)))
    lines += [
        "",
        "### Speed (parse + normalise from bytes), the gold pages as served",
        "",
        speed_table(speed),
        "",
        "### The same pages at a real portal's weight",
        "",
        "Each gold page with a 225-link menu at top and foot, a 60-item dated news box and 32 KB of",
        f"inline script added (`bench.score.with_site_chrome`), {heavy_size:.0f} KB a page on average,",
        "as the department portals serve them. Fields must not move.",
        "",
        head,
        sep,
    ]
    lines += [_row(tool, scores) for tool, scores in heavy.items()]
    lines += ["", speed_table(heavy_speed)]
    wrong = [
        (s.case, [f for f in FIELDS if not s.correct[f]], s.f1, s.leaks, s.error)
        for s in results.get("ours", [])
    ]
    wrong = [w for w in wrong if w[1] or w[2] < 0.98 or w[3] or w[4]]
    lines += ["", "### Our misses", ""]
    if not wrong:
        lines.append("None: every field of every page is right, every body F1 ≥ 0.98, no leaks.")
    for case, fields, f1, leaks, error in wrong:
        lines.append(
            f"- `{case.platform}/{case.name}`: {', '.join(fields) or '-'}; F1 {f1:.3f}; "
            f"{'; '.join(leaks)} {error or ''}".rstrip()
        )
    summary = ""
    if "trafilatura" in speed:
        ours_s, theirs_s = summarise(results["ours"]), summarise(results["trafilatura"])
        more_accurate = (
            all(ours_s.accuracy[f] >= theirs_s.accuracy[f] for f in FIELDS)
            and ours_s.f1 >= theirs_s.f1
        )
        ratio = speed["ours"][JUDGED] / speed["trafilatura"][JUDGED]
        heavy_ratio = heavy_speed["ours"][JUDGED] / heavy_speed["trafilatura"][JUDGED]
        summary = (
            f"{verdict(ratio >= 3 and more_accurate)}: {ratio:.1f}× trafilatura's throughput "
            f"(harvest memos; {heavy_ratio:.1f}× at a portal's weight), "
            f"{'higher or equal accuracy on every field' if more_accurate else 'NOT more accurate on every field'} "
            f"(body F1 {ours_s.f1:.3f} vs {theirs_s.f1:.3f}). Target: ≥ 3× at higher accuracy."
        )
    return "\n".join(lines) + "\n", summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpus", type=Path, default=ROOT / "tests" / "fixtures")
    ap.add_argument("--repeat", type=int, default=7, help="timed passes per tool and mode")
    ap.add_argument("--no-trafilatura", action="store_true", help="score our parsers only")
    ap.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args(argv)
    load_before = load()
    cases = load_corpus(args.corpus)
    if not cases:
        print(f"no article pages under {args.corpus}", file=sys.stderr)
        return 2
    tools: dict[str, tuple[Extractor, list[Any]]] = {"ours": (ours, _our_text_memos())}
    if not args.no_trafilatura:
        try:
            import trafilatura  # noqa: F401
        except ImportError:
            print(
                "trafilatura is not installed: pip install -e '.[bench]' (or pass --no-trafilatura)",
                file=sys.stderr,
            )
            return 2
        tools["trafilatura"] = (trafilatura_fields, _their_text_memos())
    heavy_cases = [with_site_chrome(c) for c in cases]
    results = {name: run(cases, fn) for name, (fn, _) in tools.items()}
    heavy = {name: run(heavy_cases, fn) for name, (fn, _) in tools.items()}
    speed: dict[str, dict[str, float]] = {}
    heavy_speed: dict[str, dict[str, float]] = {}
    for name, (fn, memos) in tools.items():
        speed[name] = {m: throughput(cases, fn, memos, m, args.repeat) for m in MODES}
        heavy_speed[name] = {
            m: throughput(heavy_cases, fn, memos, m, max(2, args.repeat // 3)) for m in MODES
        }
        print(f"{name}: {speed[name]} / portal weight {heavy_speed[name]}", file=sys.stderr)
    text, summary = report(args.corpus, cases, results, speed, heavy, heavy_speed)
    print(text)
    print(summary)
    if not args.no_write:
        append_results(
            "Extraction: ours vs trafilatura on the gold corpus (bench/extraction.py)",
            text,
            summary,
            load_before=load_before,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
