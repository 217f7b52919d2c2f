"""From a site to scores per template: analyze keeps the template column of sitemap_urls'
frame, plot_templates draws the score per template, and ``psdata analyze --sitemap``
does both steps (real server on 127.0.0.1, real Chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

import psdata
from conftest import FAST
from psdata import plotting
from psdata._frame import build_frame
from psdata.cli import main
from psdata.demo.server import ServedSite, serve_directory
from test_plotting import assert_no_overlap, texts

PAGES = {
    "product/1-blue-shoe.html": "2024-05-01",
    "product/2-red-hat.html": "2024-06-01",
    "product/3-green-scarf.html": "2024-04-01",
    "blog/2024/05/first-post.html": "2024-05-02",
    "blog/2024/06/second-post.html": "2024-06-03",
}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """Five small pages of two templates, listed by a sitemap that robots.txt names."""
    folder = tmp_path_factory.mktemp("catalogue")
    with serve_directory(folder) as site:
        for path in PAGES:
            page = folder / path
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{page.stem}</title></head><body><h1>{page.stem}</h1></body></html>"
            )
        entries = "".join(
            f"<url><loc>{site.url(path)}</loc><lastmod>{lastmod}</lastmod></url>"
            for path, lastmod in PAGES.items()
        )
        (folder / "sitemap.xml").write_text(
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + entries + "</urlset>"
        )
        (folder / "robots.txt").write_text(f"User-agent: *\nSitemap: {site.url('/sitemap.xml')}\n")
        yield site


def test_scores_per_template_from_a_site(catalogue: ServedSite, tmp_path: Path) -> None:
    urls = psdata.sample(psdata.sitemap_urls(catalogue.base_url), per_template=1)
    assert urls.url.tolist() == [
        catalogue.url("product/2-red-hat.html"),  # the most recently modified of each
        catalogue.url("blog/2024/06/second-post.html"),
    ]
    # quiet_window_ms as the CLI passes it (a float: 200 and 200.0 are two cache keys).
    options = {**FAST, "categories": ["performance"], "quiet_window_ms": 200.0}
    scores = psdata.analyze(urls, **options)
    assert list(scores.columns[:2]) == ["url", "template"]
    assert scores.index.equals(urls.index)
    assert scores.error.isna().all(), scores.error.tolist()
    summary = scores.groupby("template").performance.describe()
    assert summary["count"].to_dict() == {
        "/blog/{year}/{month}/{slug}.html": 1.0,
        "/product/{slug}.html": 1.0,
    }
    assert summary["mean"].between(0, 100).all()
    ax = plotting.plot_templates(scores)
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert {label.split("\n")[0] for label in labels} == set(summary.index)
    # The same in one command; the pages come from the result store this time.
    out = tmp_path / "scores.parquet"
    command = ["analyze", "--sitemap", catalogue.base_url, "--per-template", "1", "-o", str(out)]
    options = ["--categories", "performance", "--quiet-window-ms", "200", "--no-progress"]
    assert main([*command, *options, "--timeout", str(FAST["timeout"])]) == 0
    written = pd.read_parquet(out)
    assert written.template.tolist() == scores.template.tolist()
    assert written.performance.tolist() == scores.performance.tolist()
    assert written.from_cache.all()
    # Or in two: psdata sitemap -o urls.csv, then psdata analyze urls.csv reads the
    # template column back.
    listed = tmp_path / "urls.csv"
    assert main(["sitemap", catalogue.base_url, "--per-template", "1", "-o", str(listed)]) == 0
    again = tmp_path / "again.parquet"
    command = ["analyze", str(listed), "-o", str(again)]
    assert main([*command, *options, "--timeout", str(FAST["timeout"])]) == 0
    read_back = pd.read_parquet(again)
    assert read_back.url.tolist() == urls.url.tolist()
    assert read_back.template.tolist() == scores.template.tolist()


def test_the_template_follows_each_row_with_both_strategies() -> None:
    urls = pd.DataFrame(
        {"url": ["not a url", "ftp://files.example/a"], "template": ["/a", "/b"]}, index=[7, 9]
    )
    scores = psdata.analyze(urls, strategy=["mobile", "desktop"], progress=False)
    assert scores.template.tolist() == ["/a", "/a", "/b", "/b"]
    assert scores.index.get_level_values(0).tolist() == [7, 7, 9, 9]
    assert scores.error_type.eq("invalid_url").all()


def test_a_frame_needs_a_url_column_and_keeps_no_other() -> None:
    plain = psdata.analyze(pd.DataFrame({"url": ["not a url"], "note": ["x"]}), progress=False)
    assert list(plain.columns) == list(psdata.COLUMNS)
    with pytest.raises(psdata.ConfigurationError, match="'url' column"):
        psdata.analyze(pd.DataFrame({"page": ["a"], "note": ["x"]}), progress=False)


def scored(templates: dict[str, list[float | None]]) -> pd.DataFrame:
    """A result frame with a template column: the given performance scores per template."""
    rows = [
        (template, score) for template, scores in templates.items() for score in scores
    ]  # fmt: skip
    frame = build_frame([{"strategy": "mobile", "performance": score} for _, score in rows])
    frame.insert(1, "template", pd.array([template for template, _ in rows], dtype="string"))
    return frame


def test_plot_templates_orders_by_median_and_says_what_it_left_out() -> None:
    many = {f"/section-{i}/{{slug}}": [50.0 + i] * (30 - i) for i in range(24)}
    many["/product/{slug}"] = [20.0, 30.0, None, None]
    ax = plotting.plot_templates(scored(many), top=20)
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert len(labels) == 20
    assert labels[0] == "/section-0/{slug}\n30 rows"  # the lowest median on top
    assert "/product/{slug}" not in " ".join(labels)  # 4 rows: not among the top 20
    assert ax.get_title() == (
        "Performance score per template · 2 rows left out as errors (no score)\n"
        "5 smaller templates not shown"
    )
    assert_no_overlap(ax.figure)
    few = plotting.plot_templates(scored({"/a/{id}": [95.0, None], "/b/{id}": [40.0]}))
    assert [label.get_text() for label in few.get_yticklabels()] == [
        "/b/{id}\n1 row",
        "/a/{id}\n2 rows, 1 no score",
    ]


def test_plot_templates_on_empty_and_unfit_frames() -> None:
    empty = plotting.plot_templates(scored({}))
    assert "no scores" in texts(empty)
    with pytest.raises(ValueError, match="template"):
        plotting.plot_templates(build_frame([{"strategy": "mobile", "performance": 90}]))


def test_cli_analyze_takes_a_file_or_a_sitemap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze"]) == 2
    assert "give an input file or --sitemap URL" in capsys.readouterr().err
    listed = tmp_path / "urls.txt"
    listed.write_text("not a url\nftp://files.example/p/1\nftp://files.example/p/2\n")
    out = tmp_path / "scores.parquet"
    assert (
        main(["analyze", str(listed), "--per-template", "1", "--no-progress", "-o", str(out)]) == 1
    )
    written = pd.read_parquet(out)  # invalid URLs: rows with their error, no browser needed
    assert written.template.tolist() == ["/{slug}", "/p/{id}"]
    assert written.error_type.eq("invalid_url").all()
    # A CSV with a template column (as psdata sitemap -o writes) keeps it, and its
    # lastmod orders --per-template: the newest of each template.
    table = tmp_path / "urls.csv"
    pd.DataFrame(
        {
            "url": ["ftp://files.example/p/1", "ftp://files.example/p/2", "not a url"],
            "lastmod": ["2024-06-01", "2024-01-01", None],
            "sitemap": "https://files.example/sitemap.xml",
            "template": ["/p/{id}", "/p/{id}", "/{slug}"],
        }
    ).to_csv(table, index=False)
    assert (
        main(["analyze", str(table), "--per-template", "1", "--no-progress", "-o", str(out)]) == 1
    )
    written = pd.read_parquet(out)
    assert written.url.tolist() == ["ftp://files.example/p/1", "not a url"]
    assert written.template.tolist() == ["/p/{id}", "/{slug}"]
