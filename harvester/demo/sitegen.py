"""Generated department sites in the Kon Tum portal's layout, deterministic from a seed.

A `FixtureSite` holds N articles (newest first) in two categories, and renders their
article pages, paginated listings (`/<category>?page=N`), print views (`/print/<id>`), an
RSS feed, a sitemap (or a sitemap index of gzipped parts) and a robots.txt. Like the Kon
Tum portal it finds an article by the id at the end of its path, whatever the category and
slug before it. It can change between "nights": new articles, an edited title or paragraph,
growing view counts, a deleted article (404), a moved one (301), an article filed under a
second category, and a redesign (`layout`), so tests can check what the archive remembers
and what the health checks see.

Traps a crawler must survive, on request: listing pages past the last one that keep
linking onward (`endless_pages`), a calendar whose months go on forever (`calendar`), links
to other hosts and private addresses (`foreign_links`), and paths robots.txt forbids
(`disallow`).
"""

from __future__ import annotations

import gzip
import html
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from parsers.normalise import search_key

__all__ = ["FixtureArticle", "FixtureSite", "slugify"]

_SENTENCES = (
    "Sở Lao động - Thương binh và Xã hội đã tổ chức đối thoại chính sách và truyền thông về công tác giảm nghèo tại các huyện Sa Thầy, Đăk Glei, Kon Plông và Tu Mơ Rông.",
    "Nhằm cung cấp kịp thời nội dung về Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021 – 2025.",
    "Đồng thời, nâng cao nhận thức, trách nhiệm của toàn xã hội về công tác giảm nghèo nhằm khơi dậy tinh thần tự lực vươn lên thoát nghèo.",
    "Tham gia các buổi truyền thông là người nghèo, cộng đồng dân cư, cán bộ các cấp của 11 xã thuộc 04 huyện.",
    "Đại diện Phòng Lao động - Thương binh và Xã hội, Ủy ban nhân dân cấp xã và cộng tác viên giảm nghèo cấp xã cùng tham dự.",
    "Các đơn vị, địa phương đã thực hiện đảm bảo các chính sách về giáo dục, y tế, nhà ở, vay vốn ưu đãi cho người dân.",
    "Tuy nhiên, vẫn còn ý kiến của người dân đối với hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo trên địa bàn huyện nghèo.",
    "Hội nghị đã thảo luận các giải pháp hỗ trợ việc làm cho người lao động, nhất là lao động ở vùng đồng bào dân tộc thiểu số.",
    "Trung tâm Dịch vụ việc làm tỉnh Kon Tum phối hợp tổ chức phiên giao dịch việc làm với hơn 30 doanh nghiệp tham gia tuyển dụng.",
    "Đoàn công tác đã thăm hỏi, tặng quà các gia đình chính sách, người có công với cách mạng nhân dịp kỷ niệm Ngày Thương binh - Liệt sĩ 27/7.",
    "Lãnh đạo Sở đề nghị các phòng chuyên môn tiếp tục rà soát, tổng hợp kết quả thực hiện và báo cáo trước ngày 15 hằng tháng.",
    "Công tác bảo vệ, chăm sóc trẻ em và bình đẳng giới được các địa phương quan tâm triển khai đồng bộ.",
    "Qua kiểm tra, đoàn đánh giá cao sự chủ động của Ủy ban nhân dân huyện Đăk Hà trong việc chi trả trợ cấp xã hội hằng tháng.",
    "Chương trình giáo dục nghề nghiệp cho lao động nông thôn đã giúp hàng trăm người có việc làm ổn định, tăng thu nhập.",
    "Hoạt động này cần được thực hiện thường xuyên hơn để người dân hiểu rõ các chính sách an sinh xã hội của Đảng và Nhà nước.",
)
_TOPICS = (
    "Tổ chức đối thoại chính sách về công tác giảm nghèo tại huyện {place}",
    "Hội nghị triển khai nhiệm vụ an sinh xã hội năm {year} tại {place}",
    "Thăm, tặng quà gia đình chính sách trên địa bàn {place}",
    "Phiên giao dịch việc làm lưu động tại {place} thu hút đông đảo người lao động",
    "Kiểm tra công tác chi trả trợ cấp xã hội tại {place}",
    "Tập huấn nghiệp vụ bảo vệ, chăm sóc trẻ em cho cán bộ cấp xã huyện {place}",
    "Đào tạo nghề cho lao động nông thôn ở {place} giai đoạn {year} – {year2}",
)
_PLACES = ("Sa Thầy", "Đăk Glei", "Kon Plông", "Tu Mơ Rông", "Đăk Hà", "Ngọc Hồi", "Kon Rẫy", "Ia H'Drai", "Đăk Tô")
_AUTHORS = ("Nguyễn Hương", "Trần Thị Lan", "Y Bình", "Lê Văn Nam", "A Thút")
_BYLINES = ("Tin và ảnh: {a}", "Tin, ảnh: {a}", "Tác giả: {a}", "{a}")
_CAPTIONS = (
    "Đồng chí Phó Giám đốc Sở thực hiện đối thoại với người dân",
    "Toàn cảnh hội nghị",
    "Các đại biểu tham dự buổi tập huấn",
    "Đoàn công tác tặng quà gia đình chính sách",
)
# Redesigns a site can go through between nights, for the drift tests: the view count
# dropped from the info line, or the text loaded by script so the page holds a summary only.
LAYOUTS = ("portal", "no-views", "js-body")
CATEGORIES = (
    ("tro-giup-xa-hoi-va-giam-ngheo", "TRỢ GIÚP XÃ HỘI VÀ GIẢM NGHÈO"),
    ("tin-tuc-su-kien", "TIN TỨC - SỰ KIỆN"),
)


def slugify(text: str) -> str:
    """'Tổ chức đối thoại' → 'To-chuc-doi-thoai' (the Kon Tum portal's Title-Case slugs)."""
    key = search_key(text)
    words = ["".join(ch for ch in w if ch.isalnum()) for w in key.split()]
    original = text.split()
    out = []
    for w, o in zip(words, original):
        if w:
            out.append(w[0].upper() + w[1:] if o[:1].isupper() else w)
    return "-".join(out)


@dataclass
class FixtureArticle:
    id: int
    category: int
    title: str
    paragraphs: list[str]
    captions: list[str]
    author: str
    byline: str
    poster: str
    published: date
    views: int
    status: int = 200            # 404/410 once deleted
    moved_to: int | None = None  # id of the article it now lives at (301)
    also_in: int | None = None   # a second category it is filed under (same id, two URLs)

    @property
    def slug(self) -> str:
        return f"{slugify(self.title)}-{self.id}"


@dataclass
class FixtureSite:
    """A department site of `n_articles` articles, `per_page` to a listing page."""

    name: str = "demo-sldtbxh"
    n_articles: int = 25
    per_page: int = 10
    seed: int = 0
    poster: str = "SLDTBXH Kontum"
    site_title: str = "Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum"
    counter: int = 69534
    newest: date = date(2023, 9, 16)
    articles: list[FixtureArticle] = field(default_factory=list)
    base_url: str = ""
    layout: str = "portal"  # or a redesign: "no-views", "js-body" (see LAYOUTS)
    port: int = 0
    endless_pages: bool = False        # listing pages past the last repeat it and link onward
    calendar: bool = False             # every listing carries a month calendar, endless both ways
    foreign_links: tuple[str, ...] = ()  # article-looking links to other hosts on every listing
    disallow: tuple[str, ...] = ("/admin/",)
    sitemap_index: bool = False        # /sitemap.xml is an index of gzipped parts
    sitemap_part: int = 50             # URLs per part
    print_links: bool = True           # article pages link their print view
    etags: bool = True                 # answer If-None-Match with 304 when the page is unchanged

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        self._rng = rng
        self._next_id = 8000
        for _ in range(self.n_articles):
            self.articles.append(self._make(rng, self.newest - timedelta(days=len(self.articles))))

    # --- content ------------------------------------------------------------------------

    def _make(self, rng: random.Random, published: date) -> FixtureArticle:
        self._next_id += 1
        year = published.year
        title = rng.choice(_TOPICS).format(place=rng.choice(_PLACES), year=year, year2=year + 2)
        title = f"{title} (số {self._next_id})"
        paragraphs = [" ".join(rng.sample(_SENTENCES, rng.randint(2, 4))) for _ in range(rng.randint(3, 6))]
        captions = rng.sample(_CAPTIONS, rng.randint(0, 2))
        author = rng.choice(_AUTHORS)
        return FixtureArticle(
            id=self._next_id,
            category=rng.randrange(len(CATEGORIES)),
            title=title,
            paragraphs=paragraphs,
            captions=captions,
            author=author,
            byline=rng.choice(_BYLINES).format(a=author),
            poster=self.poster,
            published=published,
            views=rng.randint(20, 900),
        )

    def live(self) -> list[FixtureArticle]:
        return [a for a in self.articles if a.status == 200 and a.moved_to is None]

    def by_id(self, article_id: int) -> FixtureArticle:
        a = self._find(article_id)
        if a is None:
            raise KeyError(article_id)
        return a

    def url_of(self, a: FixtureArticle) -> str:
        return f"{self.base_url}/{CATEGORIES[a.category][0]}/{a.slug}"

    def path_of(self, a: FixtureArticle) -> str:
        return f"/{CATEGORIES[a.category][0]}/{a.slug}"

    # --- changes between nights ---------------------------------------------------------

    def add_articles(self, n: int) -> list[FixtureArticle]:
        """Publish n new articles (newest first, dated after the current newest)."""
        new = []
        for _ in range(n):
            self.newest += timedelta(days=1)
            a = self._make(self._rng, self.newest)
            self.articles.insert(0, a)
            new.append(a)
        return new

    def cross_post(self, article_id: int, category: int) -> str:
        """File an article under a second category too; returns its URL there."""
        a = self.by_id(article_id)
        a.also_in = category
        return f"{self.base_url}/{CATEGORIES[category][0]}/{a.slug}"

    def grow_views(self, by: int = 10) -> None:
        for a in self.articles:
            a.views += by

    def delete(self, article_id: int, status: int = 404) -> None:
        self.by_id(article_id).status = status

    def move(self, article_id: int) -> FixtureArticle:
        """Give an article a new URL; the old one answers 301 to it."""
        old = self.by_id(article_id)
        self._next_id += 1
        new = FixtureArticle(**{**old.__dict__, "id": self._next_id, "moved_to": None})
        old.moved_to = new.id
        self.articles.insert(self.articles.index(old), new)
        return new

    # --- rendering ----------------------------------------------------------------------

    def render_article(self, a: FixtureArticle, category: int | None = None) -> str:
        e = html.escape
        cat_slug, cat_name = CATEGORIES[a.category if category is None else category]
        body: list[str] = []
        for i, p in enumerate(a.paragraphs):
            body.append(f'<p style="text-align: justify;">{e(p)}</p>')
            if i < len(a.captions):
                body.append(f'<p style="text-align: center;"><img alt="" src="/Uploads/images/tintuc/{a.id}-{i}.jpg" style="width: 600px;" /></p>')
                body.append(f'<p style="text-align: center;"><em>{e(a.captions[i])}</em></p>')
        body.append(f'<p style="text-align: right;"><strong>{e(a.byline)}</strong></p>')
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown layout {self.layout!r}; known: {', '.join(LAYOUTS)}")
        template = _ARTICLE
        if self.layout == "no-views":
            template = template.replace(" Lượt xem : <span>{views}</span>", "")
        elif self.layout == "js-body":
            # the text now arrives by script: the page itself holds only a short summary
            body = [f"<p>{e(a.paragraphs[0][:120])}</p>",
                    f'<div class="js-article" data-src="/api/article/{a.id}.json"></div>',
                    '<script src="/static/article.js"></script>']
        return template.format(
            title=e(a.title), site=e(self.site_title), counter=f"{self.counter:,}".replace(",", "."),
            cat_slug=cat_slug, cat_name=e(cat_name), body="\n".join(body), poster=e(a.poster),
            date=a.published.strftime("%d/%m/%Y"), views=a.views, slug=a.slug, menu=_menu(),
            tools=f'<div class="print-link"><a href="/print/{a.id}">In bài viết</a></div>' if self.print_links else "",
        )

    def render_print(self, a: FixtureArticle) -> str:
        """The chrome-free print view: title, date line, body, byline."""
        e = html.escape
        body = "\n".join(f"<p>{e(p)}</p>" for p in a.paragraphs)
        return _PRINT.format(title=e(a.title), site=e(self.site_title), date=a.published.strftime("%d/%m/%Y"),
                             body=body, byline=e(a.byline))

    def listing_pages(self, category: int) -> list[list[FixtureArticle]]:
        items = [a for a in self.live() if category in (a.category, a.also_in)]
        return [items[i : i + self.per_page] for i in range(0, len(items), self.per_page)] or [[]]

    def render_listing(self, category: int, page: int) -> str | None:
        pages = self.listing_pages(category)
        last = len(pages)
        if page < 1 or (page > last and not self.endless_pages):
            return None
        cat_slug, cat_name = CATEGORIES[category]
        e = html.escape
        shown = pages[min(page, last) - 1]  # past the last page, an endless pager repeats it
        items = "\n".join(
            f'<div class="news-item"><h3 class="title"><a href="/{cat_slug}/{a.slug}">{e(a.title)}</a></h3>'
            f'<span class="date">({a.published.strftime("%d/%m/%Y")})</span>'
            f'<p class="summary">{e(a.paragraphs[0][:160])}...</p></div>'
            for a in shown
        )
        items += "".join(
            f'<div class="news-item"><h3 class="title"><a href="{e(url)}">Tin liên kết từ trang khác số {i + 1} '
            f'về hoạt động của ngành</a></h3></div>'
            for i, url in enumerate(self.foreign_links)
        )
        pager = " ".join(
            f'<span class="current">{n}</span>' if n == page else f'<a href="/{cat_slug}?page={n}">{n}</a>'
            for n in range(1, last + 1)
        )
        if page < last or self.endless_pages:
            pager += f' <a href="/{cat_slug}?page={page + 1}">Trang sau »</a>'
        return _LISTING.format(site=e(self.site_title), cat_name=e(cat_name), items=items, pager=pager,
                               counter=f"{self.counter:,}".replace(",", "."), menu=_menu(),
                               calendar=_calendar(self.newest.strftime("%Y-%m")) if self.calendar else "")

    def render_calendar(self, month: str) -> str:
        """An archive-by-month page with no article: only the calendar, leading on forever."""
        e = html.escape
        return _LISTING.format(site=e(self.site_title), cat_name="LỊCH TIN BÀI", items="", pager="",
                               counter=f"{self.counter:,}".replace(",", "."), menu=_menu(), calendar=_calendar(month))

    def render_rss(self) -> str:
        e = html.escape
        items = "".join(
            f"<item><title>{e(a.title)}</title><link>{self.url_of(a)}</link>"
            f"<pubDate>{a.published.strftime('%a, %d %b %Y')} 08:00:00 +0700</pubDate></item>"
            for a in self.live()[:30]
        )
        return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{e(self.site_title)}</title>{items}</channel></rss>'

    def render_sitemap(self, part: int | None = None) -> str:
        live = self.live()
        per_part = self.sitemap_part
        if self.sitemap_index and part is None:
            n = max(1, -(-len(live) // per_part))
            locs = "".join(f"<sitemap><loc>{self.base_url}/sitemap-{i}.xml.gz</loc></sitemap>" for i in range(1, n + 1))
            return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'
        if part is not None:
            live = live[(part - 1) * per_part : part * per_part]
        locs = "".join(f"<url><loc>{self.url_of(a)}</loc></url>" for a in live)
        return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'

    def start_urls(self) -> list[str]:
        return [f"{self.base_url}/{slug}" for slug, _ in CATEGORIES]

    def route(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for a request path."""
        html_type = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/robots.txt":
            rules = "".join(f"Disallow: {p}\n" for p in self.disallow)
            return 200, {"Content-Type": "text/plain"}, f"User-agent: *\n{rules}".encode()
        if path == "/rss.xml":
            return 200, {"Content-Type": "application/rss+xml; charset=utf-8"}, self.render_rss().encode()
        if path == "/sitemap.xml":
            return 200, {"Content-Type": "application/xml"}, self.render_sitemap().encode()
        if m := re.fullmatch(r"/sitemap-(\d+)\.xml\.gz", path):
            part = gzip.compress(self.render_sitemap(int(m.group(1))).encode(), mtime=0)
            return 200, {"Content-Type": "application/x-gzip"}, part
        if path == "/lich" and self.calendar:
            return 200, html_type, self.render_calendar(query.get("thang", "")).encode()
        for i, (slug, _) in enumerate(CATEGORIES):
            if path.rstrip("/") == f"/{slug}":
                page = int(query.get("page", "1")) if query.get("page", "1").isdigit() else 0
                body = self.render_listing(i, page)
                if body is None:
                    return 404, html_type, _NOT_FOUND.encode()
                return 200, html_type, body.encode()
        if m := re.fullmatch(r"/print/(\d+)", path):
            a = self._find(int(m.group(1)))
            if a is None or a.status != 200 or a.moved_to is not None:
                return 404, html_type, _NOT_FOUND.encode()
            return 200, html_type, self.render_print(a).encode()
        if m := re.fullmatch(r"/([^/]+)/[^/]*-(\d+)/?", path):
            # the portal finds an article by its id: any slug, any of the article's categories
            a = self._find(int(m.group(2)))
            cats = {slug: i for i, (slug, _) in enumerate(CATEGORIES)}
            if a is not None and m.group(1) in cats and cats[m.group(1)] in (a.category, a.also_in):
                if a.moved_to is not None:
                    return 301, {"Location": self.path_of(self.by_id(a.moved_to))}, b""
                if a.status != 200:
                    return a.status, html_type, _NOT_FOUND.encode()
                return 200, html_type, self.render_article(a, cats[m.group(1)]).encode()
        return 404, html_type, _NOT_FOUND.encode()

    def _find(self, article_id: int) -> FixtureArticle | None:
        # an index by id, rebuilt when articles were added: a 10,000-article site answers fast
        index = self.__dict__.get("_index")
        if index is None or len(index) != len(self.articles):
            index = self.__dict__["_index"] = {a.id: a for a in self.articles}
        return index.get(article_id)


def _calendar(month: str) -> str:
    """A month calendar with links to the months before and after, endlessly."""
    try:
        year, mon = (int(x) for x in month.split("-"))
    except ValueError:
        year, mon = 2023, 9
    prev = f"{year - (mon == 1)}-{12 if mon == 1 else mon - 1:02d}"
    nxt = f"{year + (mon == 12)}-{1 if mon == 12 else mon + 1:02d}"
    return (f'<div class="calendar"><a href="/lich?thang={prev}" title="Tháng trước">«</a> '
            f'<span>Tháng {mon}/{year}</span> <a href="/lich?thang={nxt}" title="Tháng sau">»</a></div>')


def _menu() -> str:
    return "".join(f'<li><a href="/{slug}">{html.escape(name.title())}</a></li>' for slug, name in CATEGORIES)


_CHROME_TOP = """<div id="header"><a href="/"><img src="/Uploads/banner/baner.jpg" alt="Baner" width="1000" height="150" /></a></div>
<div id="menu"><ul class="mainmenu"><li><a href="/">Trang chủ</a></li>{menu}</ul></div>"""
_COUNTER = """<td class="left-col" valign="top"><div class="box-counter"><div class="box-title">LƯỢT TRUY CẬP</div>
<div class="counter-value">{counter}</div></div></td>"""
_ARTICLE = (
    """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8" /><title>{title} - {site}</title></head>
<body><form method="post" action="./{slug}" id="form1"><input type="hidden" name="__VIEWSTATE" value="x" />
"""
    + _CHROME_TOP
    + """<table class="layout"><tr>"""
    + _COUNTER
    + """<td class="main-col" valign="top">
<div class="cate-title"><a href="/{cat_slug}">{cat_name}</a></div>
<div class="news-detail"><h1 class="title-detail"><span id="ctl00_ContentPlaceHolder1_ctl00_lblTitle">{title}</span></h1>
<div id="ctl00_ContentPlaceHolder1_ctl00_divContent" class="content-detail">
{body}
</div>
<div class="info-detail">Đăng bởi : <span>{poster}</span> Ngày đăng : <span>{date}</span> Lượt xem : <span>{views}</span></div>
{tools}
<div class="back"><a href="javascript:history.go(-1)">Quay Về</a></div></div>
</td><td class="right-col"><div class="box"><div class="box-title">THÔNG BÁO</div></div></td></tr></table>
<div id="footer">Cơ quan chủ quản: {site}</div></form></body></html>"""
)
_LISTING = (
    """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8" /><title>{cat_name} - {site}</title></head>
<body><form method="post" id="form1"><input type="hidden" name="__VIEWSTATE" value="x" />
"""
    + _CHROME_TOP
    + """<table class="layout"><tr>"""
    + _COUNTER
    + """<td class="main-col"><div class="cate-title">{cat_name}</div>
<div class="news-list">{items}</div>
<div class="pager">{pager}</div>{calendar}</td></tr></table>
<div id="footer">Cơ quan chủ quản: {site}</div></form></body></html>"""
)
_PRINT = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8" /><title>{title} - {site}</title></head>
<body onload="window.print()"><div class="trang-in"><h1>{title}</h1><p>Ngày đăng: {date}</p>
<div class="noi-dung">
{body}
<p style="text-align: right;"><strong>{byline}</strong></p></div></div></body></html>"""
_NOT_FOUND = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8" /><title>Không tìm thấy trang</title></head>
<body><h1>Không tìm thấy trang</h1><p>Trang bạn yêu cầu không tồn tại.</p></body></html>"""
