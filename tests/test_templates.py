"""Route templates on real-world URL shapes, and psdata.sample.

The paths below are shapes public sites use in their sitemaps (the hosts are kept so
the origin of each shape shows; nothing is fetched)."""

from __future__ import annotations

import pandas as pd
import pytest

import psdata

#: (URL, its template) on its own, by the per-segment rules.
REAL_WORLD_SHAPES = [
    # The issue's example: numeric ids in slugs.
    ("https://shop.example/product/123-blue-shoe", "/product/{slug}"),
    ("https://shop.example/product/98-red-hat", "/product/{slug}"),
    # Shopify stores.
    ("https://www.allbirds.com/products/mens-wool-runners", "/products/{slug}"),
    # Amazon: a slug, then the ASIN.
    ("https://www.amazon.com/Echo-Dot-3rd-Gen/dp/B07FZ8S74R", "/{slug}/dp/{id}"),
    ("https://www.amazon.com/dp/B08N5WRWNW", "/dp/{id}"),
    # WordPress permalinks.
    ("https://blog.example/2023/10/15/hello-world/", "/{year}/{month}/{day}/{slug}/"),
    # The New York Times: date, sections, slug with an extension.
    (
        "https://www.nytimes.com/2024/05/17/world/europe/slovakia-fico-shooting.html",
        "/{year}/{month}/{day}/world/europe/{slug}.html",
    ),
    # The Guardian: the month by name.
    (
        "https://www.theguardian.com/world/2024/may/17/robert-fico-condition",
        "/world/{year}/{month}/{day}/{slug}",
    ),
    # Stack Overflow: id then slug.
    (
        "https://stackoverflow.com/questions/11227809/why-is-processing-a-sorted-array-faster",
        "/questions/{id}/{slug}",
    ),
    # Etsy, eBay, Airbnb: ids.
    ("https://www.etsy.com/listing/1234567890/handmade-ceramic-mug", "/listing/{id}/{slug}"),
    ("https://www.ebay.com/itm/256123456789", "/itm/{id}"),
    ("https://www.airbnb.com/rooms/12345678", "/rooms/{id}"),
    # BBC News: a slug ending in a number.
    ("https://www.bbc.com/news/world-europe-68912345", "/news/{slug}"),
    # IKEA: country, language, slug with the article number.
    ("https://www.ikea.com/us/en/p/billy-bookcase-white-00263850/", "/{locale}/{locale}/p/{slug}/"),
    # Microsoft and MDN: language-region first.
    ("https://www.microsoft.com/en-us/windows", "/{locale}/windows"),
    ("https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API", "/{locale}/docs/Web/API/{slug}"),
    # Google's international pages: a language-region code second.
    ("https://www.google.com/intl/en_uk/chrome/", "/intl/{locale}/chrome/"),
    # GitHub: a commit hash.
    (
        "https://github.com/python/cpython/commit/3f2b9c1e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
        "/python/cpython/commit/{hash}",
    ),
    # YouTube: the id is in the query, whose keys only are kept.
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "/watch?v"),
    ("https://shop.example/search?q=shoes&page=2", "/search?page&q"),
    # UUIDs and dates as segments.
    ("https://app.example/orders/3f2b1c4d-1234-4abc-8def-0123456789ab", "/orders/{uuid}"),
    ("https://events.example/events/2024-05-17", "/events/{date}"),
    ("https://shop.example/product/123.html", "/product/{id}.html"),
    # What stays: the home page, top-level pages, one-word sections, short tokens.
    ("https://shop.example/", "/"),
    ("https://shop.example/about", "/about"),
    ("https://shop.example/api/v2/docs", "/api/v2/docs"),
    ("https://shop.example/my/account", "/my/account"),  # "my" is Burmese, and a word
]


@pytest.mark.parametrize(("url", "template"), REAL_WORLD_SHAPES)
def test_a_real_world_path_shape_has_its_template(url: str, template: str) -> None:
    assert psdata.url_templates([url]).tolist() == [template]


def test_the_issues_two_products_share_a_template() -> None:
    templates = psdata.url_templates(
        ["https://s.example/product/123-blue-shoe", "https://s.example/product/98-red-hat"]
    )
    assert templates.nunique() == 1


def test_one_word_pages_join_their_slugged_siblings_but_not_at_the_top() -> None:
    urls = [
        "https://en.wikipedia.org/wiki/Albert_Einstein",
        "https://en.wikipedia.org/wiki/Python",
        "https://en.wikipedia.org/wiki/%E6%97%A5%E6%9C%AC",  # 日本, percent-encoded
        "https://www.allbirds.com/collections/mens",
        "https://www.allbirds.com/collections/womens-shoes",
        "https://www.allbirds.com/collections/mens/sale",  # another depth: its own
        "https://shop.example/about",
        "https://shop.example/contact-us",
        "https://shop.example/en/about",
        "https://shop.example/en/contact-us",
        "https://docs.example/guide/intro.html",
        "https://docs.example/guide/getting-started.html",
    ]
    assert psdata.url_templates(urls).tolist() == [
        "/wiki/{slug}",
        "/wiki/{slug}",
        "/wiki/{slug}",
        "/collections/{slug}",
        "/collections/{slug}",
        "/collections/mens/sale",
        "/about",
        "/{slug}",
        "/{locale}/about",
        "/{locale}/{slug}",
        "/guide/{slug}.html",
        "/guide/{slug}.html",
    ]


def test_templates_keep_the_index_and_missing_values() -> None:
    urls = pd.Series(["https://a.example/p/1", None], index=["x", "y"])
    templates = psdata.url_templates(urls)
    assert templates.index.tolist() == ["x", "y"]
    assert templates["x"] == "/p/{id}" and pd.isna(templates["y"])
    assert str(templates.dtype) == "string"


def frame(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    """A frame as sitemap_urls returns, from (url, lastmod) rows."""
    urls = pd.Series([url for url, _ in rows], dtype="string")
    return pd.DataFrame(
        {
            "url": urls,
            "lastmod": pd.to_datetime([lastmod for _, lastmod in rows], utc=True),
            "sitemap": "https://s.example/sitemap.xml",
            "template": psdata.url_templates(urls),
        }
    )


def test_sample_takes_the_most_recently_modified_first() -> None:
    urls = frame(
        [
            ("https://s.example/p/1-a", "2024-01-01"),
            ("https://s.example/p/2-b", None),
            ("https://s.example/p/3-c", "2024-03-01"),
            ("https://s.example/p/4-d", "2024-02-01"),
            ("https://s.example/blog/x-y", None),
        ]
    )
    picked = psdata.sample(urls, per_template=2)
    assert picked.url.tolist() == [
        "https://s.example/p/3-c",
        "https://s.example/p/4-d",
        "https://s.example/blog/x-y",
    ]
    assert picked.index.tolist() == [2, 3, 4]  # the input's rows, with their index
    assert list(picked.columns) == list(urls.columns)
    everything = psdata.sample(urls, per_template=10)
    assert everything.url.tolist()[:4] == [
        "https://s.example/p/3-c",
        "https://s.example/p/4-d",
        "https://s.example/p/1-a",
        "https://s.example/p/2-b",  # no lastmod: after the dated ones
    ]


def test_sample_is_reproducible_and_the_seed_changes_it() -> None:
    urls = [f"https://s.example/item/{i}-thing" for i in range(20)] + [
        f"https://s.example/guide/{i}-step" for i in range(20)
    ]
    draws = {seed: psdata.sample(urls, per_template=3, seed=seed).url.tolist() for seed in range(5)}
    assert draws[0] == psdata.sample(urls, per_template=3, seed=0).url.tolist()
    assert len({tuple(draw) for draw in draws.values()}) > 1
    picked = psdata.sample(urls, per_template=3)
    assert picked.template.value_counts().to_dict() == {"/item/{slug}": 3, "/guide/{slug}": 3}


def test_sample_checks_its_input() -> None:
    with pytest.raises(psdata.ConfigurationError, match="per_template"):
        psdata.sample(["https://s.example/"], per_template=0)
    with pytest.raises(psdata.ConfigurationError, match="'url' column"):
        psdata.sample(pd.DataFrame({"page": ["https://s.example/"]}), per_template=1)
