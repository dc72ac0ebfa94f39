"""Charts of view counts: one line per article over time, or per-site totals with the views
gained each day. PNG files drawn with matplotlib's Agg canvas (no display, no global state).

Text is set in DejaVu Sans, which ships with matplotlib and has every Vietnamese letter
(precomposed, NFC: ạ ắ ằ ẳ ẵ ặ … ỹ, Đ đ); fonts a system might substitute often lack the
letters with two marks, which would print as boxes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .analytics import series, site_totals
from .clock import VN_TZ
from .errors import HarvestError
from .store import Archive

__all__ = ["FONT", "plot_articles", "plot_sites"]

FONT = "DejaVu Sans"
_RC = {"font.family": "sans-serif", "font.sans-serif": [FONT], "axes.unicode_minus": False}
_LABEL_WIDTH = 70


class NothingToPlot(HarvestError):
    """The chosen articles or sites have no view counts."""


def _short(text: str, width: int = _LABEL_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _figure(rows: int = 1) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.2 + 2.3 * rows), dpi=110, layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    return fig, axes


def _date_axis(ax: Any) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(tz=VN_TZ, minticks=3, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=VN_TZ))
    ax.grid(True, alpha=0.3)


def _save(fig: Any, out: str | Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path


def plot_articles(archive: Archive, article_ids: Sequence[int], out: str | Path, *, since: str | None = None) -> Path:
    """View counts over time, one line per article, labelled with its title."""
    import matplotlib

    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        fig, (ax,) = _figure()
        drawn = 0
        for article_id in article_ids:
            points = [(datetime.fromisoformat(r["observed_at"]), r["views"])
                      for r in series(archive, article_id, since) if r["views"] is not None]
            row = archive.query(
                "SELECT v.title, a.status FROM articles a LEFT JOIN versions v ON v.id = a.latest_version_id WHERE a.id = ?",
                (article_id,),
            )[0]
            label = _short(f"#{article_id} {row['title'] or ''}", 110)
            if row["status"] == "gone":
                label += " (đã gỡ khỏi trang)"  # removed from the site; kept in the archive
            if not points:
                label += " — chưa có lượt xem"
                ax.plot([], [], label=label)
                continue
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", markersize=4, linewidth=1.8, label=label)
            drawn += 1
        if not drawn:
            raise NothingToPlot("nothing to plot: none of these articles has a view count" + (f" since {since}" if since else ""))
        ax.set_title("Lượt xem theo thời gian")
        ax.set_ylabel("Lượt xem")
        ax.set_xlabel("Ngày (giờ Việt Nam, +07:00)")
        _date_axis(ax)
        fig.legend(loc="outside lower left", fontsize="small", frameon=False)
        return _save(fig, out)


def plot_sites(archive: Archive, sites: Iterable[str], out: str | Path, *, since: str | None = None) -> Path:
    """Per site: the total of its articles' newest counts by day (top), and the views they
    gained each day (bottom)."""
    import matplotlib
    import matplotlib.dates as mdates

    by_site: dict[str, list[dict[str, Any]]] = {}
    for row in site_totals(archive, sites=list(sites), since=since):
        by_site.setdefault(row["site"], []).append(row)
    if not by_site:
        raise NothingToPlot("nothing to plot: no view counts for " + (", ".join(sites) or "any site")
                            + (f" since {since}" if since else ""))
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        fig, (top, bottom) = _figure(2)
        width = 0.8 / len(by_site)
        for i, (site, rows) in enumerate(sorted(by_site.items())):
            days = [datetime.combine(date.fromisoformat(r["day"]), datetime.min.time(), VN_TZ) for r in rows]
            top.plot(days, [r["total_views"] for r in rows], marker="o", markersize=4, label=site)
            offsets = [mdates.date2num(d) - 0.4 + width * (i + 0.5) for d in days]
            bottom.bar(offsets, [r["views_gained"] for r in rows], width=width, label=site)
        top.set_title("Tổng lượt xem các bài của mỗi trang")
        top.set_ylabel("Tổng lượt xem")
        bottom.set_ylabel("Lượt xem tăng trong ngày")
        bottom.set_xlabel("Ngày (giờ Việt Nam, +07:00)")
        for ax in (top, bottom):
            _date_axis(ax)
        fig.legend(*top.get_legend_handles_labels(), loc="outside lower left", fontsize="small", frameon=False,
                   ncols=min(4, len(by_site)))
        return _save(fig, out)
