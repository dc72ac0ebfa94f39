"""Article or listing, from the URL alone: the shapes seen on real department sites (see the
CMS research notes), so a backfill fetches article captures and skips the rest."""

from __future__ import annotations

import pytest

from parsers.urlshape import classify_url

ARTICLES = [
    (
        "auto",
        "https://sldtbxh.kontum.gov.vn/tin-tuc-hoat-dongthong-tin-tong-hop/Doi-thoai-chinh-sach-10349",
    ),
    (
        "auto",
        "https://www.tuyengiaokontum.org.vn/Tai-lieu-sinh-hoat-chi-bo/ban-tin-thong-bao-noi-bo-thang-7-2023-5772.html",
    ),
    (
        "auto",
        "http://xatrieuai.quangtri.gov.vn/vi/news/Van-hoa-xa-hoi/ubnd-xa-to-chuc-chuoi-hoat-dong-146.html",
    ),
    (
        "auto",
        "https://nongthonmoi.hatinh.gov.vn/huyen-Ky-Anh/dang-huong-tri-an-cac-anh-hung-liet-sy-106636.html",
    ),
    (
        "auto",
        "https://vinhphuc.gov.vn/ct/cms/tintuc/Lists/KyNiemNgayTruyenThong/View_Detail.aspx?ItemID=10123",
    ),
    (
        "auto",
        "https://baohiemxahoi.gov.vn/tintuc/Pages/cai-cach-thu-tuc-hanh-chinh.aspx?CateID=0&ItemID=21277&OtItem=date",
    ),
    (
        "auto",
        "https://canloc.hatinh.gov.vn/portal/pages/2020-07-24/Pho-Bi-thu-Thuong-truc-Huyen-uy-gvya09t53ufkm.aspx",
    ),
    (
        "auto",
        "http://sonv.hungyen.gov.vn/portal/Pages/2015-08/NhE1BBAFng20thC3A0n-61eab1edbe2fa9c.aspx",
    ),
    (
        "auto",
        "https://kimthanh.haiduong.gov.vn/vi-vn/2025/Trang/cac-dong-chi-lanh-dao-huyen-tham-tang-qua.aspx",
    ),
    (
        "auto",
        "http://hdnd.dongnai.gov.vn/Pages/glp-hdndhuyenlongthanh-glpnd-34445-glpnc-2-glpsite-1.html",
    ),
    ("auto", "http://lucnam.bacgiang.gov.vn/node/14528"),
    ("auto", "http://caophong.hoabinh.gov.vn/chinh-tri/1115-ha-i-ngha-giao-ban-th-a-ng-tra-c-h-nd"),
    ("auto", "https://www.kontum.gov.vn/pages/detail/53116/Ket-qua-giai-quyet-tra-loi-y-kien.html"),
    (
        "auto",
        "http://konplong.kontum.gov.vn/van-hoa-xa-hoi/Chuong-trinh-“Tet-sum-vay-–-Xuan-on-Dang”-2022",
    ),
    (
        "auto",
        "http://yenlap.phutho.gov.vn/thong-tin/bai-viet/cat/tin-moi-nhat-2548/id/uy-ban-nhan-dan-huyen-hop-92846",
    ),
    (
        "auto",
        "https://hoaan.tuyenquang.gov.vn/vi/tin-bai/cac-dong-chi-lanh-dao?id=151124&type=NEWS",
    ),
    ("auto", "https://thanhdoanhaiphong.gov.vn/tuoi-tre-thanh-pho-nd24165.html"),
    ("auto", "https://hamtan.binhthuan.dcs.vn/Trang-chu/post/259224/mot-so-hinh-anh.aspx"),
    (
        "auto",
        "http://ttthongnhat.gov.vn/web/trang-chu/tin-tuc-su-kien/kinh-te/lich-su-va-y-nghia-27-7.html",
    ),
    ("auto", "https://huyendamha.vn/?p=13067"),
    (
        "auto",
        "https://example.gov.vn/web/guest/tin-tuc/-/vcmsviewcontent/Ab12/101/2031/lao-ong-viec-lam.html",
    ),
    ("wordpress", "https://doluong.gov.vn/do-luong-lam-tot-cong-tac-den-on-dap-nghia/"),
    ("wordpress", "https://backancity.gov.vn/2023/07/dang-huong-tuong-niem/"),
    ("kontum", "https://sldtbxh.kontum.gov.vn/tin-tuc-su-kien/Hoi-nghi-8001"),
]

LISTINGS = [
    ("auto", "http://ipc.tuyenquang.gov.vn/tin-tuc/thoi-su-chinh-tri/trang-37.html"),
    ("auto", "https://nongthonmoituyenquang.gov.vn/tin-tuc/trang-309.html"),
    ("auto", "http://cdc.hatinh.gov.vn/kiem-soat-dich-benh-2?page=12"),
    ("auto", "http://mt.gov.vn/cntt/chuyen-muc/873/phat-trien-giao-thong-nong-thon.aspx?page=89"),
    (
        "auto",
        "https://hoabinh.gov.vn/tin-tu-cac-don-vi?p_p_id=x_INSTANCE_xqph&_x_delta=4&_x_cur=2770",
    ),
    ("auto", "https://phuhoa.phuyen.gov.vn/tin-tuc-su-kien/hoat-dong-hoi-dong-nhan-dan"),
    ("auto", "https://sldtbxh.kontum.gov.vn/"),
    ("auto", "https://sldtbxh.kontum.gov.vn/Default.aspx"),
    ("auto", "http://thuanthanh.bacninh.gov.vn/web/so-noi-vu"),
    (
        "auto",
        "https://doluong.gov.vn/do-luong-lam-tot-cong-tac-den-on-dap-nghia/",
    ),  # without the platform: a category?
    ("kontum", "https://sldtbxh.kontum.gov.vn/tro-giup-xa-hoi-va-giam-ngheo"),
    ("kontum", "https://sldtbxh.kontum.gov.vn/tro-giup-xa-hoi-va-giam-ngheo?page=3"),
    ("nukeviet", "https://nongthonmoi.hatinh.gov.vn/huyen-Ky-Anh/"),
    ("nukeviet", "https://nongthonmoi.hatinh.gov.vn/huyen-Ky-Anh/page-2/"),
    ("wordpress", "https://doluong.gov.vn/tin-tuc/page/3/"),
]

OTHER = [
    "https://sldtbxh.kontum.gov.vn/Uploads/images/tintuc/8001-0.jpg",
    "https://sldtbxh.kontum.gov.vn/Uploads/files/ke-hoach-2023-15.pdf",
    "https://sldtbxh.kontum.gov.vn/rss.xml",
    "https://www.tuyengiaokontum.org.vn/rss/",
    "https://sldtbxh.kontum.gov.vn/tim-kiem?q=giam-ngheo-2023",
    "https://sldtbxh.thanhhoa.gov.vn/portal/pages/print.aspx?p=6799",
    "https://bacson.langson.gov.vn/bm/print/6813",
]


@pytest.mark.parametrize(("platform", "url"), ARTICLES)
def test_article_urls(platform: str, url: str) -> None:
    shape = classify_url(url, platform)
    assert shape.kind == "article", shape


@pytest.mark.parametrize(("platform", "url"), LISTINGS)
def test_listing_urls(platform: str, url: str) -> None:
    shape = classify_url(url, platform)
    assert shape.kind == "listing", shape


@pytest.mark.parametrize("url", OTHER)
def test_files_feeds_search_and_print_views_are_not_articles(url: str) -> None:
    shape = classify_url(url)
    assert shape.kind == "other", shape


def test_a_platform_not_known_here_falls_back_to_the_generic_shapes() -> None:
    assert (
        classify_url("https://x.gov.vn/tin-tuc/bai-viet-hay-2024", "sharepoint-2025").kind
        == "article"
    )
    assert classify_url("https://x.gov.vn/tin-tuc/", "sharepoint-2025").kind == "listing"
