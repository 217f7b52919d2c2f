"""One self-contained HTML page for a batch: a summary, and each row's Lighthouse report.

The summary (score distribution per category, the worst pages, the opportunities
ranking, a sortable table of every row with its errors) is plain HTML written here.
Each row's report is Lighthouse's own: the page holds every row's LHR and one copy of
Lighthouse's renderer, and builds the row's standalone report (what
``ReportGenerator.generateReportHtml`` writes) into a frame when the row is opened
(``#report-N``). Nothing is loaded from the network.
"""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ConfigurationError, PsdataError
from .._lighthouse import CATEGORIES, CATEGORY_TITLES, LIGHTHOUSE_VERSION, SCORE_BANDS
from .._results import opportunities
from .._version import __version__
from .assets import renderer_script, report_template, script_json
from .lhr import frame_lhrs

#: Lighthouse's score bands on the 0–100 columns, best first: rating → lowest score.
BAND_FLOORS = {band.rating: round(band.min_score * 100) for band in SCORE_BANDS}
#: Each band's range as the legend shows it ("90–100", "50–89", "0–49").
BAND_RANGES = {
    rating: f"{floor}–{ceiling}"
    for (rating, floor), ceiling in zip(
        BAND_FLOORS.items(), [100, *(f - 1 for f in list(BAND_FLOORS.values())[:-1])], strict=True
    )
}
#: The worst pages listed in the summary.
WORST_PAGES = 10
#: Metric columns of the table: (column, heading, divisor, unit).
METRIC_COLUMNS = (
    ("fcp_ms", "FCP", 1000, "s"),
    ("lcp_ms", "LCP", 1000, "s"),
    ("tbt_ms", "TBT", 1, "ms"),
    ("cls", "CLS", 1, ""),
    ("speed_index_ms", "SI", 1000, "s"),
)


def report(
    scores: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Write one self-contained HTML report of *scores*: a summary and every row's
    Lighthouse report.

    Parameters
    ----------
    scores
        A frame ``psdata.analyze`` returned (or read back from its Parquet file).
    path
        The HTML file to write (replaced if it exists).
    title
        The page's title (default: "psdata report" with the number of rows).
    cache_dir
        The result store's directory, when it is not the one the frame was made with.

    Returns
    -------
    Path
        *path*. Open it in a browser: no network is needed.

    Raises
    ------
    PsdataError
        When *path* cannot be written.

    Examples
    --------
    >>> scores = psdata.analyze(df["url"])  # doctest: +SKIP
    >>> psdata.report(scores, "report.html")  # doctest: +SKIP
    PosixPath('report.html')
    """
    page = batch_page(scores, title=title, cache_dir=cache_dir)
    target = Path(path)
    try:
        target.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise PsdataError(f"cannot write the report to {target}: {exc.strerror or exc}") from exc
    return target


def batch_page(
    scores: pd.DataFrame,
    *,
    title: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> str:
    """The HTML of :func:`report`.

    >>> page = batch_page(pd.DataFrame(columns=["url", "strategy", "error"]))
    >>> "No rows" in page
    True
    """
    lhrs = frame_lhrs(scores, cache_dir=cache_dir)
    heading = title or f"psdata report: {len(scores)} row{'s' if len(scores) != 1 else ''}"
    scored = int(scores["error"].isna().sum()) if len(scores) else 0
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    renderer = {"template": report_template(), "script": renderer_script()}
    sections = (
        [_distribution(scores), _worst(scores), _opportunities(scores, cache_dir), _table(scores)]
        if len(scores)
        else ["<p>No rows.</p>"]
    )
    data = "\n".join(
        f'<script type="application/json" id="lhr-{i}">{script_json(lhr)}</script>'
        for i, lhr in enumerate(lhrs)
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(heading)}</title>
<style>{_STYLE}{_BAND_STYLE}</style>
</head>
<body>
<main id="summary">
<h1>{_e(heading)}</h1>
<p class="meta">{scored} of {len(scores)} rows scored · made {generated} by psdata {__version__} ·
each page's report is drawn by Lighthouse {LIGHTHOUSE_VERSION}'s own renderer.</p>
{"".join(sections)}
</main>
<div id="viewer" hidden>
<nav><a href="#" id="back">← All pages</a> <span id="viewer-url"></span></nav>
<iframe id="report-frame" title="Lighthouse report"></iframe>
</div>
<script type="application/json" id="lh-renderer">{script_json(renderer)}</script>
{data}
<script>{_SCRIPT}</script>
</body>
</html>
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _band(score: float | None) -> str:
    """The rating of a 0–100 score (``none`` when there is none).

    >>> _band(90), _band(89), _band(12), _band(None)
    ('pass', 'average', 'fail', 'none')
    """
    if score is None or pd.isna(score):
        return "none"
    return next(rating for rating, floor in BAND_FLOORS.items() if score >= floor)


def _categories(scores: pd.DataFrame) -> list[str]:
    return [name for name in CATEGORIES if name in scores and scores[name].notna().any()]


def _label(category: str) -> str:
    return CATEGORY_TITLES[category]


def _distribution(scores: pd.DataFrame) -> str:
    """Per category: the median and how many rows fall in each score band."""
    rows = []
    for name in _categories(scores):
        values = scores[name].dropna().astype(float)
        counts = {band: int((values.map(_band) == band).sum()) for band in BAND_RANGES}
        bar = "".join(
            f'<span class="{band}" style="flex-grow: {count}" title="{count} {label}">'
            f"{count}</span>"
            for band, label in BAND_RANGES.items()
            if (count := counts[band])
        )
        rows.append(
            f"<tr><th>{_e(_label(name))}</th><td>{values.median():.0f}</td>"
            f'<td class="bar">{bar}</td><td>{len(scores) - len(values)}</td></tr>'
        )
    if not rows:
        return "<h2>Scores</h2><p>No row was scored.</p>"
    legend = " ".join(
        f'<span class="key {band}"></span>{label}' for band, label in BAND_RANGES.items()
    )
    return (
        f'<h2>Scores</h2><p class="legend">{legend}</p>'
        '<table class="dist"><tr><th>Category</th><th>Median</th><th>Rows per band</th>'
        f"<th>Not scored</th></tr>{''.join(rows)}</table>"
    )


def _worst(scores: pd.DataFrame) -> str:
    """The rows with the lowest mean category score."""
    names = _categories(scores)
    if not names:
        return ""
    means = scores[names].astype(float).mean(axis=1).to_numpy()
    worst = [p for p in np.argsort(means, kind="stable") if not np.isnan(means[p])]
    items = []
    for position in worst[:WORST_PAGES]:
        row = scores.iloc[position]
        parts = ", ".join(f"{_e(_label(n))} {_score(row[n])}" for n in names if pd.notna(row[n]))
        items.append(f"<li>{_link(position, row)} · mean {means[position]:.0f} ({parts})</li>")
    return f"<h2>Worst pages</h2><ol>{''.join(items)}</ol>"


def _link(position: int, row: pd.Series, *, strategy: bool = True) -> str:
    """A link to the row's report (``#report-N``), with its strategy."""
    url = row["url"] if pd.notna(row["url"]) else "(no URL)"
    shown = f" ({row['strategy']})" if strategy and pd.notna(row.get("strategy")) else ""
    return f'<a href="#report-{position}">{_e(url)}</a>{_e(shown)}'


def _score(value: Any) -> str:
    return "–" if pd.isna(value) else str(int(value))


def _opportunities(scores: pd.DataFrame, cache_dir: str | os.PathLike[str] | None) -> str:
    """psdata's opportunities ranking: which fix pays off across the pages."""
    try:
        ranking = opportunities(scores, cache_dir=cache_dir)
    except ConfigurationError as exc:
        return f"<h2>Opportunities</h2><p>Not available: {_e(exc)}</p>"
    ranking = ranking[ranking["pages_failing"] > 0]
    if ranking.empty:
        return "<h2>Opportunities</h2><p>No opportunity fails on any page.</p>"
    rows = "".join(
        f"<tr><td>{_e(row.title)}</td><td>{row.pages_failing} of {row.pages}</td>"
        f"<td>{_ms(row.total_savings_ms)}</td><td>{_ms(row.median_savings_ms)}</td>"
        f"<td>{_kib(row.total_savings_bytes)}</td></tr>"
        for row in ranking.itertuples()
    )
    return (
        "<h2>Opportunities</h2><p>Performance opportunities and diagnostics that fail on at"
        " least one page, by their total estimated savings over the failing pages.</p>"
        '<table class="opps"><tr><th>Audit</th><th>Pages failing</th><th>Total savings</th>'
        f"<th>Median savings</th><th>Total bytes</th></tr>{rows}</table>"
    )


def _ms(value: Any) -> str:
    return "–" if pd.isna(value) else f"{value:,.0f} ms"


def _kib(value: Any) -> str:
    return "–" if pd.isna(value) else f"{value / 1024:,.0f} KiB"


def _table(scores: pd.DataFrame) -> str:
    """Every row: its link, scores, metrics, error and warnings; sortable by column."""
    names = [name for name in CATEGORIES if name in scores]
    head = (
        '<th data-type="number">#</th><th>URL</th><th>Strategy</th>'
        + "".join(f'<th data-type="number">{_e(_label(n))}</th>' for n in names)
        + "".join(
            f'<th data-type="number">{label}{f" ({unit})" if unit else ""}</th>'
            for _, label, _, unit in METRIC_COLUMNS
        )
        + "<th>Error</th><th>Warnings</th>"
    )
    body = []
    for position, (_, row) in enumerate(scores.iterrows()):
        cells = [
            f'<td data-value="{position}">{position}</td>',
            f"<td>{_link(position, row, strategy=False)}</td>",
            f"<td>{_e(row.get('strategy', ''))}</td>",
        ]
        for name in names:
            value = row[name]
            cells.append(
                f'<td class="score {_band(value)}" data-value="{_number(value)}">'
                f"{_score(value)}</td>"
            )
        for column, _, divisor, unit in METRIC_COLUMNS:
            value = row.get(column)
            shown = "–" if value is None or pd.isna(value) else _metric(value / divisor, unit)
            cells.append(f'<td data-value="{_number(value)}">{shown}</td>')
        error = row.get("error")
        kind = row.get("error_type")
        cells.append(
            "<td></td>"
            if error is None or pd.isna(error)
            else f'<td class="error">{_e(kind if pd.notna(kind) else "error")}: {_e(error)}</td>'
        )
        warnings = row.get("warnings")
        cells.append(f"<td>{'' if warnings is None or pd.isna(warnings) else _e(warnings)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        "<h2>All rows</h2><p>Click a URL for its Lighthouse report, a heading to sort.</p>"
        f'<table id="rows" class="rows"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _number(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):g}"


def _metric(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.1f}"
    if unit == "ms":
        return f"{value:,.0f}"
    return f"{value:.3f}"


_STYLE = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #202124; }
main { padding: 16px 24px 48px; max-width: 1400px; }
h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 18px; margin: 28px 0 8px; }
.meta, .legend { color: #5f6368; }
table { border-collapse: collapse; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e0e0e0; text-align: left;
  vertical-align: top; }
.rows th { cursor: pointer; background: #f1f3f4; position: sticky; top: 0; }
.rows th[aria-sort]::after { content: " ▲"; }
.rows th[aria-sort=descending]::after { content: " ▼"; }
.rows td { max-width: 420px; overflow-wrap: anywhere; }
.score { font-weight: 600; text-align: right; }
.pass { color: #008800; } .average { color: #c33300; } .fail { color: #cc0000; }
.bar { width: 420px; } .bar { display: flex; }
.bar span { color: #fff; text-align: center; font-weight: 600; min-width: 1.6em; }
.key { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; }
.error { color: #cc0000; }
#viewer nav { height: 40px; display: flex; gap: 16px; align-items: center; padding: 0 16px;
  background: #202124; color: #fff; }
#viewer nav a { color: #8ab4f8; }
#report-frame { position: fixed; top: 40px; left: 0; width: 100%; height: calc(100% - 40px);
  border: 0; }
"""

#: The bands' colours (Lighthouse's) behind the distribution bars and the legend.
_BAND_STYLE = "".join(
    f".bar .{band.rating}, .key.{band.rating} {{ background: {band.colour}; }}\n"
    for band in SCORE_BANDS
)

_SCRIPT = """
const renderer = JSON.parse(document.getElementById('lh-renderer').textContent);
const summary = document.getElementById('summary');
const viewer = document.getElementById('viewer');
const frame = document.getElementById('report-frame');
function fill(template, json) {
  return template.split('%%LIGHTHOUSE_JSON%%')
    .map((part) => part.split('%%LIGHTHOUSE_JAVASCRIPT%%').join(renderer.script))
    .join(json);
}
function route() {
  const match = location.hash.match(/^#report-(\\d+)$/);
  const data = match && document.getElementById('lhr-' + match[1]);
  summary.hidden = Boolean(data);
  viewer.hidden = !data;
  if (!data) { frame.removeAttribute('srcdoc'); return; }
  const lhr = JSON.parse(data.textContent);
  document.getElementById('viewer-url').textContent =
    (lhr.finalDisplayedUrl || lhr.requestedUrl || '') +
    ' (' + ((lhr.configSettings || {}).formFactor || '') + ')';
  frame.srcdoc = fill(renderer.template, data.textContent);
}
window.addEventListener('hashchange', route);
route();
const table = document.getElementById('rows');
if (table) {
  table.querySelectorAll('th').forEach((th, column) => th.addEventListener('click', () => {
    const numeric = th.dataset.type === 'number';
    const down = th.getAttribute('aria-sort') === 'ascending';
    table.querySelectorAll('th').forEach((other) => other.removeAttribute('aria-sort'));
    th.setAttribute('aria-sort', down ? 'descending' : 'ascending');
    const key = (row) => {
      const cell = row.cells[column];
      const text = cell.dataset.value ?? cell.textContent;
      return numeric ? (text === '' ? Infinity : Number(text)) : text.toLowerCase();
    };
    const rows = [...table.tBodies[0].rows].sort((a, b) => {
      const x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (down ? -1 : 1);
    });
    table.tBodies[0].append(...rows);
  }));
}
"""
