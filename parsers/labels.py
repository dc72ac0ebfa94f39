"""Vietnamese label strings and the patterns that read values next to them.

Labels are data: the words a department site prints before a date, a view count, a poster or
an author, the words that say a line is a byline, chrome or a related-article list. They are
matched on the search key (`normalise.search_key`, re-exported here: no marks, lowercase,
đ→d), so "Ngay dang" (VietSoftware's unaccented template), "NGÀY ĐĂNG" and NFD text all
match, and because the key maps one code point to one, a match's position is also its
position in the display text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .normalise import search_key

# --- the label tables (display form; matched folded) -------------------------------------

# Date labels, best first: the day an article was published, then the day it was written,
# then the day it was last edited (used only when the page shows nothing better).
PUBLISHED_LABELS = (
    "ngày đăng",
    "đăng ngày",
    "ngày đăng tin",
    "tin đăng ngày",
    "ngày xuất bản",
    "xuất bản",
    "xuất bản ngày",
    "được đăng",
    "đăng lúc",
    "thời gian đăng",
    "ngày đăng tải",
    "đăng tải",
    "ngày đưa tin",
    "ngày đăng bài",
    "ngay dang",
    "posted on",
    "published",
    "ngày",
    "thời gian",
)
CREATED_LABELS = ("được viết", "ngày tạo", "ngày viết", "created")
UPDATED_LABELS = (
    "ngày cập nhật",
    "cập nhật",
    "cập nhật lần cuối",
    "cập nhật lúc",
    "sửa lần cuối",
    "updated",
    "ngày ban hành",
)
DATE_LABELS = PUBLISHED_LABELS + CREATED_LABELS + UPDATED_LABELS
VIEW_LABELS = (
    "lượt xem",
    "số lượt xem",
    "lượt đọc",
    "số lượt đọc",
    "đã xem",
    "lần xem",
    "số lần xem",
    "xem",
    "views",
    "lượt truy cập bài viết",
    "lượt views",
)
POSTER_LABELS = (
    "đăng bởi",
    "người đăng",
    "người đăng tin",
    "người đăng bài viết",
    "người đăng bài",
    "posted by",
    "gửi bởi",
    "người gửi",
    "cập nhật bởi",
)
AUTHOR_LABELS = (
    "tác giả bài viết",
    "tác giả",
    "viết bởi",
    "người viết",
    "bút danh",
)
SOURCE_LABELS = ("nguồn tin", "nguồn", "theo nguồn", "nguồn bài viết", "nguồn trích dẫn")
# A byline that opens the last line(s) of a body: "Tin và ảnh: Nguyễn Hương".
BYLINE_LABELS = (
    "tin và ảnh",
    "tin, ảnh",
    "tin - ảnh",
    "tin & ảnh",
    "tin/ảnh",
    "tin ảnh",
    "tin bài",
    "tin, bài",
    "tin - bài",
    "bài và ảnh",
    "bài, ảnh",
    "bài - ảnh",
    "bài/ảnh",
    "bài & ảnh",
    "bài ảnh",
    "bài viết",
    "bài",
    "tin",
    "ảnh",
    "thực hiện",
    "tác giả",
    "người viết",
    "nhóm phóng viên",
    "phóng viên",
    "nhóm pv",
    "pv",
    "ctv",
    "cộng tác viên",
    "biên tập",
    "bài và ảnh",
)
# A line that is only a staff credit names the writer as itself ("PV", "Nhóm PV", "CTV").
STAFF_BYLINES = ("pv", "nhóm pv", "ctv", "btv", "phóng viên", "nhóm phóng viên", "pv tổng hợp")
# Byline labels that also open a series title or a sentence ("Bài 2: …", "Tin: …"): a byline
# at the top of the text needs one of the others ("Bài, ảnh: X", "Tác giả: X").
OPENING_BYLINE_EXCLUDED = ("bài", "tin", "bài viết", "biên tập", "ảnh")
# Byline labels that name a photographer only: the writer wins when both are given.
PHOTO_ONLY_LABELS = ("ảnh",)
CATEGORY_LABELS = ("chuyên mục", "danh mục", "chuyên đề")
# Headings of an article's attached-file list ("Tài liệu đính kèm: KH 12.pdf"): not body text.
ATTACHMENT_LABELS = (
    "tài liệu đính kèm",
    "file đính kèm",
    "tệp đính kèm",
    "tập tin đính kèm",
    "văn bản đính kèm",
    "đính kèm",
    "tải về",
    "download",
)
# Site widgets whose numbers look like views but are not: never read a count from these.
COUNTER_LABELS = (
    "lượt truy cập",
    "tổng lượt truy cập",
    "số lượt truy cập",
    "truy cập",
    "đang online",
    "đang truy cập",
    "khách online",
    "thành viên online",
    "online",
    "hôm nay",
    "hôm qua",
    "tuần này",
    "tuần trước",
    "tháng này",
    "tháng trước",
    "tháng hiện tại",
    "năm nay",
    "tất cả",
    "tổng số",
    "tổng lượt",
    "tổng cộng",
    "thống kê",
    "thống kê truy cập",
    "visitors",
    "số người",
    "lượt khách",
    "khách",
    "thành viên",
    "máy chủ tìm kiếm",
    "bots",
)
# Lines of page chrome that sit inside or beside article bodies.
CHROME_LINES = (
    "quay về",
    "quay lại",
    "trở về",
    "trở lại",
    "về trang trước",
    "in bài viết",
    "in bài này",
    "in bài",
    "in trang",
    "in ra",
    "bản in",
    "bản để in",
    "gửi email",
    "gửi email bài này",
    "gửi bài viết",
    "gửi bài viết cho bạn bè",
    "giới thiệu bài viết cho bạn bè",
    "lưu bài viết này",
    "lưu bài viết",
    "chia sẻ",
    "chia sẻ bài viết",
    "chia sẻ bài viết này",
    "đầu trang",
    "lên đầu trang",
    "về đầu trang",
    "xem cỡ chữ",
    "cỡ chữ",
    "mặc định cỡ chữ",
    "đọc bài viết",
    "nghe đọc bài viết",
    "nghe bài viết",
    "in",
    "email",
    "print",
    "share",
    "tweet",
    "bình luận",
    "ý kiến bạn đọc",
    "gửi ý kiến",
    "xem tiếp",
    "xem thêm",
    "tags",
    "từ khóa",
    "100%",
    "a a a",
    "a- a a+",
    "a+ a a-",
    "facebook",
    "zalo",
    "twitter",
    "đóng",
    "đóng cửa sổ",
    "đóng lại",
    "truy cập nội dung luôn",
    "skip to content",
    "like",
    "thích",
    "chi tiết",
    "đánh giá",
    "bình chọn",
    "góp ý",
    "phản hồi",
    "tải về",
    "lưu",
    "font size",
    "văn bản gốc",
)
# Headings of the related-article lists that follow a body.
RELATED_HEADINGS = (
    "các tin khác",
    "tin khác",
    "tin liên quan",
    "bài viết liên quan",
    "tin bài liên quan",
    "tin tức liên quan",
    "những tin mới hơn",
    "những tin cũ hơn",
    "tin mới hơn",
    "tin cũ hơn",
    "các tin mới hơn",
    "các tin cũ hơn",
    "theo dòng sự kiện",
    "tin cùng chuyên mục",
    "bài viết cùng chuyên mục",
    "tin cùng loại",
    "các tin đã đưa",
    "các tin đã đưa ngày",
    "tin đã đưa ngày",
    "các tin đã đăng",
    "tin đã đăng",
    "các bài viết khác",
    "bài viết khác",
    "các tin bài khác",
    "tin bài khác",
    "các bài khác",
    "xem thêm",
    "tin tức khác",
    "các tin tức khác",
    "tin mới",
    "tin mới nhất",
    "bài viết mới",
    "bài viết mới nhất",
    "tin xem nhiều",
    "tin đọc nhiều",
    "bài đọc nhiều",
    "có thể bạn quan tâm",
    "bài viết cùng danh mục",
    "cùng chuyên mục",
)

# A listing's link to its next (or last) page, by its words or its arrow.
NEXT_PAGE_LABELS = (
    "trang sau",
    "sau",
    "tiếp",
    "tiếp theo",
    "trang tiếp",
    "next",
    "xem tiếp",
    "trang kế",
    "kế tiếp",
    "cuối",
    "trang cuối",
    "last",
)
NEXT_PAGE_SYMBOLS = frozenset(("»", "›", ">", ">>", "→", "»»", "›»"))

# What an error page served with 200 says in its title, heading or first lines
# (parsers/refusal.py); with ERROR_PAGE_RE's "404" at the start or before a dash.
ERROR_PAGE_PHRASES = (
    "không tìm thấy",
    "không tồn tại",
    "page not found",
    "not found",
    "lỗi 404",
    "error 404",
    "404 error",
    "http 404",
    "404 not found",
    "trang bạn yêu cầu",
    "an error occurred",
    "đã xảy ra lỗi",
    "có lỗi xảy ra",
    "đã xảy ra sự cố",
    "xin lỗi, đã xảy ra",
    "server error",
    "bài viết không tồn tại",
    "nội dung không tồn tại",
    "access denied",
    "truy cập bị từ chối",
    "không có quyền truy cập",
    "something went wrong",
    "requested resource",
    "đã bị xóa",
    "đường dẫn không hợp lệ",
    "yêu cầu không hợp lệ",
    "không thể tìm thấy",
    "the page you",
    "không thể hiển thị trang",
)
# Words of a login form's page (with a password field: parsers/refusal.py).
LOGIN_WORDS = ("đăng nhập", "login", "log in", "sign in", "mật khẩu", "password")
# An article's link to its print view (harvester/discover.py): the link's own words, or
# these in its target ("print.aspx", "/in-bai/", "/ban-in/").
PRINT_LINK_LABELS = ("in bài", "in bài viết", "in bài này", "in ra", "in trang", "bản in", "print")
PRINT_HREF_WORDS = ("print", "/in-bai", "inbai", "/ban-in")

# --- words read on the display text (case-insensitive regexes, not the search key) ----------

# Words after a view count that still belong to it: "544 lượt", "12 lần xem", "90 views".
VIEW_COUNT_UNITS = ("lượt", "lần", "views", "view")
# A tag line under an article ("Từ khóa: …"): chrome, never body text.
TAG_LABELS = ("tags", "tag", "từ khóa", "từ khoá", "keywords", "keyword")
# Words an attachment's link puts before the file's name ("Tải về: KH 12.pdf" → "KH 12.pdf").
ATTACHMENT_LINK_PREFIXES = ("tải về", "tải xuống", "download", "tệp đính kèm", "file đính kèm")

# --- bylines (parsers/bylines.py) ------------------------------------------------------------

# Words that open an organisation's name, not a person's: "Phòng VHXH", "UBND huyện", "Báo
# Kon Tum". Compared with their marks: folded, "phường" (ward) would be the name "Phương".
ORG_WORDS = (
    "phòng",
    "ban",
    "sở",
    "ubnd",
    "ủy ban",
    "trung tâm",
    "văn phòng",
    "chi cục",
    "trường",
    "hội",
    "đoàn",
    "huyện",
    "xã",
    "phường",
    "thị trấn",
    "thành phố",
    "tỉnh",
    "cổng",
    "báo",
    "đài",
    "tạp chí",
    "bộ",
    "cục",
    "tổng cục",
    "ttxvn",
    "vnexpress",
    "mttq",
    "đảng ủy",
    "huyện ủy",
    "tỉnh ủy",
    "thành ủy",
    "công an",
    "bchqs",
    "ttvh",
    "trang thông tin",
    "cơ quan",
    "viện",
    "bệnh viện",
    "công ty",
    "hợp tác xã",
    "chi nhánh",
    "website",
    "thông tấn",
)
# Abbreviations that are an organisation even with nothing after them ("UBND", "TTXVN").
ORG_ABBREVIATIONS = ("ubnd", "ttxvn", "mttq", "bchqs")
# Words of a sentence, never of a name. Compared with their marks: folded, "những" would be
# the name "Nhung".
NOT_NAME_WORDS = (
    "và",
    "của",
    "các",
    "những",
    "được",
    "đã",
    "cho",
    "tại",
    "với",
    "trong",
    "là",
    "có",
    "một",
    "số",
    "này",
    "theo",
    "về",
    "đến",
    "từ",
    "không",
    "năm",
    "ngày",
    "tháng",
    "hoạt",
    "động",
)
# Openings of a caption or a sentence that is capitalised like a name ("Hình ảnh hội nghị").
NOT_NAME_STARTS = ("hình ảnh", "một số", "toàn cảnh", "quang cảnh", "video")
# Account names some templates print where a byline would be: not a writer.
ACCOUNT_NAMES = ("admin", "administrator", "quản trị", "quản trị viên", "super user", "webmaster")
# A second credit after the writer's name: "Y Bình - Ảnh: A Thút", "Lan, Đồ họa: Hà".
SECOND_CREDIT_LABELS = ("ảnh", "anh", "bài", "bai", "tin", "video", "đồ họa", "do hoa")
# Words between a poster's name and the date it posted: "admin vào T5, 29/06/2023".
NAME_DATE_JOINERS = ("vào", "lúc", "ngày")
# A source line: "Theo Anh Đức/kyanh.hatinh.gov.vn", "(Theo Báo Kon Tum)".
SOURCE_PREFIXES = ("theo",)


def words_rx(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first, for case-insensitive regexes
    over the display text.

    >>> words_rx(("lượt", "views", "view"))
    'views|lượt|view'
    """
    return "|".join(re.escape(w) for w in sorted(dict.fromkeys(words), key=len, reverse=True))


def _alternation(labels: Iterable[str]) -> str:
    keys = sorted({search_key(lbl) for lbl in labels}, key=len, reverse=True)
    return "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in keys)


def _literals(labels: Iterable[str]) -> str:
    # folded, exactly as written (no \s+ for a space)
    return "|".join(re.escape(k) for k in sorted({search_key(lbl) for lbl in labels}, key=len, reverse=True))


ERROR_PAGE_RE = re.compile(rf"(?:{_literals(ERROR_PAGE_PHRASES)}|^404\b|\b404 -)")
LOGIN_RE = re.compile(_literals(LOGIN_WORDS))
PRINT_LINK_KEYS = frozenset(search_key(w) for w in PRINT_LINK_LABELS)
PRINT_HREF_RE = re.compile(words_rx(PRINT_HREF_WORDS), re.I)

_COUNT = r"(\d{1,3}(?:[.,\s]\d{3})+|\d+)"

VIEW_AFTER_LABEL = re.compile(
    rf"(?<![a-z0-9])(?:{_alternation(VIEW_LABELS)})\s*[:：]?\s*{_COUNT}(?![\d/])"
)
VIEW_SUFFIXES = ("lượt xem", "lượt đọc", "lần xem", "views", "lượt views")
VIEW_BEFORE_LABEL = re.compile(rf"(?<![\d.,]){_COUNT}\s*(?:{_alternation(VIEW_SUFFIXES)})(?![a-z])")
COUNTER_RE = re.compile(rf"(?<![a-z])(?:{_alternation(COUNTER_LABELS)})(?![a-z])")
_COUNTER_REST = re.compile(r"[\d\s.,:;|/()\-–—•*]+")


def parse_count(text: str) -> int | None:
    """'1.234' → 1234, '69 534' → 69534, '544' → 544.

    >>> parse_count("1.234")
    1234
    """
    digits = re.sub(r"[.,\s]", "", text)
    return int(digits) if digits.isdigit() else None


def find_views(text: str) -> int | None:
    """A view count next to its label ("Lượt xem : 544", "5547 lượt xem", "Xem: 92").

    Returns None when the text is a site-counter widget ("Lượt truy cập 69.534").

    >>> find_views("Đăng bởi : SLDTBXH Kontum Ngày đăng : 16/09/2023 Lượt xem : 544")
    544
    >>> find_views("LƯỢT TRUY CẬP 69.534") is None
    True
    >>> find_views("Lượt xem: 1.234")
    1234
    """
    key = search_key(text)
    for rx in (VIEW_AFTER_LABEL, VIEW_BEFORE_LABEL):
        for m in rx.finditer(key):
            # A counter label right before the match ("Hôm nay: 12 ... Lượt xem") taints it.
            window = key[max(0, m.start() - 24) : m.start()]
            if rx is VIEW_AFTER_LABEL and COUNTER_RE.search(window):
                continue
            if COUNTER_RE.search(key[m.start() : m.end()]):
                continue
            return parse_count(m.group(1))
    return None


def is_counter(text: str) -> bool:
    """True for text that names a site-wide visit counter ("LƯỢT TRUY CẬP", "Đang online: 12")."""
    return COUNTER_RE.search(search_key(text)) is not None


def is_counter_line(text: str) -> bool:
    """True when a line is nothing but counter labels and numbers ("Hôm nay: 12 | Tất cả: 46.990"),
    as opposed to a sentence that happens to say "hôm nay".

    >>> is_counter_line("Hôm nay: 123 Tất cả: 45.678")
    True
    >>> is_counter_line("Hôm nay (27/6), UBND huyện tổ chức hội nghị")
    False
    """
    if len(text) > 200:
        return False
    key = search_key(text)
    if not COUNTER_RE.search(key):
        return False
    rest = _COUNTER_REST.sub("", COUNTER_RE.sub("", key))
    return len(rest) <= 3


@dataclass(frozen=True, slots=True)
class LabelHit:
    kind: str  # "date", "views", "poster", "author", "source", "category"
    label: str  # the label as printed
    value: str  # the text up to the next label
    rank: int = 0  # dates: 0 published, 1 written, 2 updated; lower is better


_KINDS = (
    ("poster", POSTER_LABELS),
    ("author", AUTHOR_LABELS),
    ("source", SOURCE_LABELS),
    ("views", VIEW_LABELS),
    ("date", DATE_LABELS),
    ("category", CATEGORY_LABELS),
)
_LABEL_RE = re.compile(
    "|".join(
        rf"(?P<{kind}>(?<![a-z0-9]){'(?:' + _alternation(labels) + ')'}\s*(?:[:：]|(?=\s*\d)|\s+(?=\S)))"
        for kind, labels in _KINDS
    )
)
_DATE_RANK = {
    **{search_key(x): 0 for x in PUBLISHED_LABELS},
    **{search_key(x): 1 for x in CREATED_LABELS},
    **{search_key(x): 2 for x in UPDATED_LABELS},
}
# Bare words that are labels only when a colon or a digit follows ("Ngày: 5/6", not "Ngày hội").
_BARE = frozenset(
    (
        "ngay",
        "xem",
        "views",
        "published",
        "nguon",
        "cap nhat",
        "thoi gian",
        "xuat ban",
        "created",
        "updated",
        "dang tai",
    )
)


_BARE_TIME = re.compile(r"[\s:：]*\d{1,2}\s*[:h]\s*\d{2}(?::\d{2})?\s*(?:sa|ch|am|pm)?[\s,]*", re.I)


@lru_cache(maxsize=8192)
def label_values(text: str) -> tuple[LabelHit, ...]:
    """Split a metadata line into its labelled values.

    >>> [(h.kind, h.value) for h in label_values("Đăng bởi : SLDTBXH Kontum Ngày đăng : 16/09/2023 Lượt xem : 544")]
    [('poster', 'SLDTBXH Kontum'), ('date', '16/09/2023'), ('views', '544')]
    """
    key = search_key(text)
    hits: list[tuple[str, int, int, int]] = []
    for m in _LABEL_RE.finditer(key):
        kind = m.lastgroup or ""
        label = re.sub(r"\s+", " ", key[m.start() : m.end()].strip(" :："))
        if label in _BARE and not re.match(r"\s*[:：]|\s*\d", key[m.start() + len(label) :]):
            continue
        rank = _DATE_RANK.get(label, 0) if kind == "date" else 0
        # "Cập nhật lúc 08:15 ngày 03/07/2024": the day after a time completes that label's
        # value; it is not a second date label
        if (
            kind == "date"
            and hits
            and hits[-1][0] == "date"
            and _BARE_TIME.fullmatch(key[hits[-1][2] : m.start()])
        ):
            continue
        hits.append((kind, m.start(), m.end(), rank))
    out = []
    for i, (kind, start, end, rank) in enumerate(hits):
        stop = hits[i + 1][1] if i + 1 < len(hits) else len(text)
        value = text[end:stop].strip(" :：-–|•,;\u00a0\t")
        out.append(LabelHit(kind, text[start:end].strip(" :："), value, rank))
    return tuple(out)


@lru_cache(maxsize=32)
def _starts_rx(labels: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"^[\s(\[*•\-–]*(?:{_alternation(labels)})\s*[:：]\s*")


def starts_with_label(text: str, labels: tuple[str, ...]) -> tuple[str, str] | None:
    """('Tin và ảnh', 'Nguyễn Hương') for 'Tin và ảnh: Nguyễn Hương', else None."""
    m = _starts_rx(tuple(labels)).match(search_key(text[:80]))
    if not m:
        return None
    return text[: m.end()].strip(" :：([*•-–"), text[m.end() :].strip(" )]")


_PUNCT = re.compile(r"[\s:|»«›‹\-–—.,!?\[\]()/>*•]+")


@lru_cache(maxsize=8192)
def phrase_key(text: str) -> str:
    """The folded words of a short text, punctuation dropped: 'Quay Về »' → 'quay ve'."""
    return _PUNCT.sub(" ", search_key(text)).strip()


@lru_cache(maxsize=64)
def _phrase_set(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(phrase_key(p) for p in phrases)


def matches_any(text: str, phrases: tuple[str, ...]) -> bool:
    """True when the whole text (folded, trimmed of punctuation) is one of the phrases.

    >>> matches_any("« Quay Về", CHROME_LINES)
    True
    """
    if len(text) >= 80:
        return False
    key = phrase_key(text)
    return bool(key) and key in _phrase_set(phrases)
