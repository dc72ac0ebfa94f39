"""An article's history: its versions in time order, what changed between consecutive ones,
and its status events (missing, gone, back, moved, merged, reparsed), as one timeline.

The body diff works on words, which for Vietnamese are syllables separated by spaces
("giảm nghèo" is two), with each punctuation mark a word of its own and paragraph breaks
kept as markers. Diff operations carry their text with its leading whitespace, so the
`equal` and `insert` parts put together give the new text exactly, and `equal` and
`delete` the old one:

    >>> [(op.op, op.text) for op in word_diff("Hộ nghèo được hỗ trợ.", "Hộ cận nghèo được hỗ trợ nhà ở.")]
    [('equal', 'Hộ'), ('insert', ' cận'), ('equal', ' nghèo được hỗ trợ'), ('insert', ' nhà ở'), ('equal', '.')]
    >>> render_diff(word_diff("Hộ nghèo được hỗ trợ.", "Hộ cận nghèo được hỗ trợ nhà ở."))
    'Hộ {+cận+} nghèo được hỗ trợ {+nhà ở+}.'
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .store import Archive

__all__ = ["DiffOp", "CONTENT_FIELDS", "word_diff", "render_diff", "timeline", "article_header", "render_text"]

# the version fields, in the order a reader cares about them
CONTENT_FIELDS = ("title", "body", "captions", "author", "poster", "published_at", "category", "images", "attachments")
_LIST_FIELDS = ("captions", "images", "attachments")
_TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])|\s+$")
_PARAGRAPH = "\n\n"
INSERT = ("{+", "+}")
DELETE = ("[-", "-]")


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One run of a word diff: `op` is "equal", "insert" or "delete"."""

    op: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"op": self.op, "text": self.text}


def _tokens(text: str) -> list[str]:
    """Words and punctuation, each with the whitespace before it; paragraph breaks alone."""
    out: list[str] = []
    for i, paragraph in enumerate(text.split(_PARAGRAPH)):
        if i:
            out.append(_PARAGRAPH)
        out.extend(_TOKEN.findall(paragraph))
    return out


def _key(token: str) -> str:
    return token if token == _PARAGRAPH else (token.strip() or token)


def word_diff(before: str, after: str) -> list[DiffOp]:
    """The word-level diff from `before` to `after` (a replacement is a delete then an insert).

    Paragraphs are aligned first, words within what lies between unchanged paragraphs
    after, so an added paragraph reads as one insertion, not as words spliced into its
    neighbours."""
    a_pars, b_pars = (before or "").split(_PARAGRAPH), (after or "").split(_PARAGRAPH)
    a, b = _tokens(before or ""), _tokens(after or "")
    a_at, b_at = _paragraph_starts(a), _paragraph_starts(b)
    ops: list[DiffOp] = []

    def add(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if ops and ops[-1].op == op:
            ops[-1] = DiffOp(op, ops[-1].text + text)
        else:
            ops.append(DiffOp(op, text))

    def words(i1: int, i2: int, j1: int, j2: int) -> None:
        matcher = difflib.SequenceMatcher(None, [_key(t) for t in a[i1:i2]], [_key(t) for t in b[j1:j2]], autojunk=False)
        for tag, x1, x2, y1, y2 in matcher.get_opcodes():
            if tag == "equal":
                for ta, tb in zip(a[i1 + x1 : i1 + x2], b[j1 + y1 : j1 + y2], strict=True):
                    if ta != tb:  # the same word after different whitespace
                        word = tb.lstrip()
                        add("delete", [ta[: len(ta) - len(word)]])
                        add("insert", [tb[: len(tb) - len(word)]])
                        tb = word
                    add("equal", [tb])
            else:
                add("delete", a[i1 + x1 : i1 + x2])
                add("insert", b[j1 + y1 : j1 + y2])

    i = j = 0  # token positions reached in a and b
    paragraphs = difflib.SequenceMatcher(None, a_pars, b_pars, autojunk=False)
    for pi, pj, n in paragraphs.get_matching_blocks():
        if n == 0:  # the sentinel at the end
            break
        start_a, end_a = a_at[pi], a_at[pi + n] - (1 if pi + n < len(a_pars) else 0)
        start_b, end_b = b_at[pj], b_at[pj + n] - (1 if pj + n < len(b_pars) else 0)
        words(i, start_a, j, start_b)
        add("equal", b[start_b:end_b])
        i, j = end_a, end_b
    words(i, len(a), j, len(b))
    return ops


def _paragraph_starts(tokens: list[str]) -> list[int]:
    """Token index where each paragraph starts, plus one past the end (len + 1)."""
    starts = [0] + [k + 1 for k, t in enumerate(tokens) if t == _PARAGRAPH]
    return [*starts, len(tokens) + 1]


def diff_counts(ops: list[DiffOp]) -> tuple[int, int]:
    """(words inserted, words deleted); paragraph breaks and punctuation count as words."""
    ins = sum(len(_tokens(o.text)) for o in ops if o.op == "insert")
    dele = sum(len(_tokens(o.text)) for o in ops if o.op == "delete")
    return ins, dele


def render_diff(ops: list[DiffOp], *, context: int | None = None, style: Any = None) -> str:
    """wdiff-style text: `[-deleted-]` and `{+inserted+}`. With `context`, unchanged runs
    longer than twice that many words are cut to their ends, joined by " … ". `style`, if
    given, is called as style(text, op) to colour the marked parts (click.style on a tty)."""
    out: list[str] = []
    last = len(ops) - 1
    for n, op in enumerate(ops):
        text = op.text
        if op.op == "equal":
            if context is not None:
                tokens = _tokens(text)
                head = context if n > 0 else 0
                tail = context if n < last else 0
                if len(tokens) > head + tail + 1:
                    text = "".join(tokens[:head]) + " … " + "".join(tokens[len(tokens) - tail:]).lstrip(" ")
                    text = text.lstrip(" ") if n == 0 else text
                    text = text.rstrip(" ") if n == last else text
            out.append(text)
            continue
        start, end = INSERT if op.op == "insert" else DELETE
        if not text.strip():  # only whitespace: a paragraph break is marked, a space shown as is
            if _PARAGRAPH in text:
                out.append(style(f"{start}¶{end}", op.op) if style else f"{start}¶{end}")
            elif op.op == "insert":
                out.append(text)
            continue
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]
        body = text.strip().replace(_PARAGRAPH, " ¶ ")
        marked = f"{start}{body}{end}"
        out.append(lead + (style(marked, op.op) if style else marked) + trail)
    return "".join(out)


# --- the timeline ------------------------------------------------------------------------


def _fields(row: Any) -> dict[str, Any]:
    d = {f: row[f] for f in CONTENT_FIELDS}
    for f in _LIST_FIELDS:
        d[f] = json.loads(d[f]) if d[f] else []
    return d


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    changes: dict[str, dict[str, Any]] = {}
    for f in CONTENT_FIELDS:
        if before[f] == after[f]:
            continue
        if f in ("title", "body"):
            ops = word_diff(before[f], after[f])
            ins, dele = diff_counts(ops)
            change: dict[str, Any] = {"words_inserted": ins, "words_deleted": dele, "diff": [o.as_dict() for o in ops]}
            if f == "title":
                change = {"before": before[f], "after": after[f], **change}
        elif f in _LIST_FIELDS:
            key = (lambda x: json.dumps(x, sort_keys=True, ensure_ascii=False)) if f == "attachments" else (lambda x: x)
            change = {"added": _minus(after[f], before[f], key), "removed": _minus(before[f], after[f], key)}
            if not change["added"] and not change["removed"]:
                change["reordered"] = True
        else:
            change = {"before": before[f], "after": after[f]}
        changes[f] = change
    return changes


def _minus(items: list[Any], other: list[Any], key: Any) -> list[Any]:
    """Items not in `other`, counting repeats (a caption used twice, then once, lost one)."""
    left = Counter(key(x) for x in other)
    out = []
    for x in items:
        if left[key(x)]:
            left[key(x)] -= 1
        else:
            out.append(x)
    return out


def timeline(archive: Archive, article_id: int, *, full: bool = False, superseded: bool = False) -> Iterator[dict[str, Any]]:
    """The article's versions and events in time order, as JSON-ready dicts.

    A version: `kind: "version"`, its number (1 = first), `at` (the fetch that produced it),
    parser_version, platform, source, title, and `changed` (field names) with `changes` (per
    field: a word diff for title and body, added/removed items for lists, before/after
    otherwise). `full` adds every field's value. `superseded` adds versions replaced by a
    reparse (marked `superseded_at`), outside the numbering and the diffs.
    An event: `kind: "event"`, `event`, `at`, url, HTTP status, detail."""
    entries: list[tuple[str, int, dict[str, Any]]] = []
    previous: dict[str, Any] | None = None
    number = 0
    rows = archive.query(
        "SELECT * FROM versions WHERE article_id = ? ORDER BY fetched_at, id", (article_id,)
    )
    for row in rows:
        fields = _fields(row)
        entry: dict[str, Any] = {
            "article_id": article_id, "kind": "version", "at": row["fetched_at"], "version_id": row["id"],
            "parser_version": row["parser_version"], "platform": row["platform"], "source": row["source"],
            "title": fields["title"],
        }
        if row["superseded_at"] is not None:
            if not superseded:
                continue
            entry.update(version=None, superseded_at=row["superseded_at"], superseded_reason=row["superseded_reason"],
                         changed=[], changes={})
        else:
            number += 1
            changes = _changes(previous, fields) if previous is not None else {}
            entry.update(version=number, changed=list(changes), changes=changes)
            previous = fields
        if full:
            entry["content"] = fields
        entries.append((row["fetched_at"], 0, entry))
    for ev in archive.events(article_id):
        entries.append((ev["at"], 1, {
            "article_id": article_id, "kind": "event", "at": ev["at"], "event": ev["event"], "url": ev["url"],
            "status": ev["status"], "detail": json.loads(ev["detail"]) if ev["detail"] else None,
        }))
    entries.sort(key=lambda e: (e[0], e[1]))
    for _, _, entry in entries:
        yield entry


def article_header(archive: Archive, article_id: int) -> dict[str, Any]:
    """The article's identity and status, with every URL it was seen at."""
    row = archive.query("SELECT * FROM articles WHERE id = ?", (article_id,))[0]
    urls = archive.query(
        "SELECT url, reason, first_seen_at FROM article_urls WHERE article_id = ? ORDER BY first_seen_at, url", (article_id,)
    )
    return {
        "article_id": article_id, "site": row["site"], "url": row["url"], "status": row["status"],
        "gone_at": row["gone_at"], "first_seen_at": row["first_seen_at"], "last_seen_at": row["last_seen_at"],
        "urls": [dict(u) for u in urls],
    }


def table_row(entry: dict[str, Any]) -> dict[str, Any]:
    """One flat line of the timeline for `--table`/`--csv` readers."""
    if entry["kind"] == "event":
        what = entry["event"]
        detail = _event_summary(entry)
    else:
        what = f"v{entry['version']}" if entry["version"] else "superseded"
        detail = _version_summary(entry)
    return {"at": entry["at"], "what": what, "parser": entry.get("parser_version"), "detail": detail}


def _version_summary(entry: dict[str, Any]) -> str:
    if entry["version"] == 1:
        return f"first version: {entry['title']}"
    if not entry["changed"]:
        return _superseded(entry) if entry.get("superseded_at") else ""
    parts = []
    for f in entry["changed"]:
        c = entry["changes"][f]
        if "words_inserted" in c:
            parts.append(f"{f} +{c['words_inserted']}/-{c['words_deleted']} words")
        elif "added" in c:
            parts.append(f"{f} +{len(c['added'])}/-{len(c['removed'])}")
        else:
            parts.append(f)
    return "changed: " + ", ".join(parts)


def _superseded(entry: dict[str, Any]) -> str:
    if entry.get("superseded_reason") == "merge":
        return f"the same content as the version before it once articles were joined ({entry['superseded_at']})"
    return f"replaced by a reparse at {entry['superseded_at']}"


def _event_summary(entry: dict[str, Any]) -> str:
    d = entry.get("detail") or {}
    ev = entry["event"]
    if ev == "missing":
        return f"HTTP {entry['status']} at {entry['url']} ({d.get('in_a_row', '?')} in a row)"
    if ev == "gone":
        return f"marked gone after {d.get('misses', 2)} misses in a row (HTTP {entry['status']}); kept in the archive"
    if ev == "back":
        return f"answered again at {entry['url']}"
    if ev == "moved":
        return f"{d.get('from')} → {d.get('to')} ({d.get('reason')})"
    if ev == "merged":
        return f"joined with article {d.get('article_id')} ({d.get('url')}): {d.get('reason')}"
    if ev == "reparsed":
        return (f"re-extracted with parser {d.get('parser_version')}: {d.get('written', 0)} version(s) written, "
                f"{d.get('superseded', 0)} superseded")
    return json.dumps(d, ensure_ascii=False)


def render_text(header: dict[str, Any], entries: list[dict[str, Any]], *, context: int = 8, style: Any = None) -> str:
    """The timeline for people: each version with its changes (word diffs in wdiff marks)."""
    lines = [f"Article {header['article_id']} · {header['site']} · {header['status']}"
             + (f" since {header['gone_at']}" if header["gone_at"] else ""),
             f"  {header['url']}"]
    for u in header["urls"]:
        if u["url"] != header["url"]:
            lines.append(f"  also at {u['url']} ({u['reason']}, since {u['first_seen_at']})")
    for e in entries:
        lines.append("")
        if e["kind"] == "event":
            lines.append(f"{e['at']}  {e['event'].upper()}: {_event_summary(e)}")
            continue
        label = f"v{e['version']}" if e["version"] else "superseded"
        lines.append(f"{e['at']}  {label}  (parser {e['parser_version']}, {e['platform']}, {e['source']})")
        if e["version"] == 1 or not e["version"]:
            lines.append(f"    title: {e['title']}")
            if not e["version"]:
                lines.append(f"    {_superseded(e)}")
            continue
        for f in e["changed"]:
            c = e["changes"][f]
            if "diff" in c:
                ops = [DiffOp(o["op"], o["text"]) for o in c["diff"]]
                lines.append(f"    {f} (+{c['words_inserted']} / -{c['words_deleted']} words):")
                text = render_diff(ops, context=context if f == "body" else None, style=style)
                lines.extend("      " + line if line else "" for line in text.split("\n"))
            elif "added" in c:
                lines.append(f"    {f}:")
                lines.extend(f"      {INSERT[0]}{_show(x)}{INSERT[1]}" for x in c["added"])
                lines.extend(f"      {DELETE[0]}{_show(x)}{DELETE[1]}" for x in c["removed"])
                if c.get("reordered"):
                    lines.append("      (same items, new order)")
            else:
                lines.append(f"    {f}: {DELETE[0]}{_show(c['before'])}{DELETE[1]} {INSERT[0]}{_show(c['after'])}{INSERT[1]}")
    return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v)
    return str(value)
