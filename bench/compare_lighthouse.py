"""psdata vs Lighthouse, page by page, on the local benchmark pages.

Serves ``bench/pages`` on 127.0.0.1, runs Lighthouse (``--throttling-method``
devtools or simulate, mobile and desktop; results cached in ``bench/out/lighthouse/``
keyed by the pages' content) and psdata (the same throttling, Lighthouse's quiet windows,
concurrency 1 and 3 (``--concurrency``), ``skip_cache=True``, a private cache directory),
then prints per page scores and metrics of both, the agreement summary per form factor
with targets, the audits that disagree, the performance opportunities and diagnostics
audit by audit (pass/fail agreement, savings ratios), psdata's concurrency 1 vs N
stability and psdata's per-URL engine overhead.

    .venv/bin/python bench/compare_lighthouse.py --quick        # 2 pages, ~3 min
    .venv/bin/python bench/compare_lighthouse.py --repeat 3     # all pages, median of 3
    .venv/bin/python bench/compare_lighthouse.py --classes      # real-page problem classes
    .venv/bin/python bench/compare_lighthouse.py --throttling simulate   # Lantern vs Lantern
    .venv/bin/python bench/compare_lighthouse.py --throttling devtools --concurrency 1 \
        --lighthouse-runs 3     # against the range of up to 3 Lighthouse runs per page

Per page it prints every audit whose score differs from Lighthouse's, and names any
category psdata left without a score and without a warning saying why.

All raw numbers go to ``bench/out/compare_lighthouse-*.json``.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import opportunities_compare
from common import METRIC_LABELS, METRICS, fmt

from psdata._lighthouse import CATEGORIES, ERROR, LIGHTHOUSE_VERSION, PASS_SCORE, SCORED_MODES
from psdata.engines import ENGINES

#: MANIFEST "exercises" of the page classes where real pages disagreed with Lighthouse:
#: mobile pages wider than the phone, large documents, SEO edge values, console errors.
PAGE_CLASSES = ("mobile-overflow", "large-document", "seo", "console-errors", "real-html")
QUICK_PAGES = ("baseline/article.html", "cls/banner-insert.html")
FORM_FACTORS = ("mobile", "desktop")
#: psdata runs at concurrency 1 and at this level (``--concurrency``) by default.
DEFAULT_LEVEL = 3
#: Targets: (name, op, threshold), shared by both throttling methods.
TARGETS = {
    "cls_pages_over": ("<=", 0),
    "conc_perf_median": ("<=", 3),
    "overhead_ms": ("<", 150),
    "audits_ms": ("<", 500),
    "category_median": ("<=", 3),
    "category_worst": ("<=", 3),
    "best_practices_worst": ("<=", 2),
    "unexplained_missing": ("<=", 0),
    "audit_agreement": (">=", 0.97),
}
#: Each throttling method's own targets (its issue's).
METHOD_TARGETS = {
    "devtools": {
        "perf_median": ("<=", 2),
        "perf_worst": ("<=", 8),
        "metric_rel": ("<=", 0.05),
        "tbt_pages_off": ("<=", 0),
    },
    "simulate": {
        "perf_median": ("<=", 3),
        "perf_worst": ("<=", 10),
        "metric_rel": ("<=", 0.10),
        "conc_perf_median": ("<=", 2),
    },
}
#: The metrics whose median relative error has a target, per throttling method.
TARGET_METRICS = {
    "devtools": ("fcp_ms", "lcp_ms", "speed_index_ms"),
    "simulate": ("fcp_ms", "lcp_ms", "speed_index_ms", "tbt_ms"),
}
#: Per throttling method, a metric error below this many ms counts as 0 in the relative
#: error (desktop devtools paints of ~100 ms make a few ms a large percentage).
NEGLIGIBLE_MS = {"devtools": 50.0, "simulate": 0.0}
CLS_TOLERANCE = 0.02
#: A page's TBT agrees when it is within this fraction or these ms of Lighthouse's.
TBT_TOLERANCE = (0.25, 100.0)


def targets_for(throttling: str) -> dict[str, tuple[str, float]]:
    """The targets of one throttling method."""
    return TARGETS | METHOD_TARGETS[throttling]


NUMERIC_AUDIT_TOLERANCE = 0.1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=f"Compare psdata's lab scores with Lighthouse {LIGHTHOUSE_VERSION}"
        " page by page.",
        epilog="Example: .venv/bin/python bench/compare_lighthouse.py --quick",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke test on {len(QUICK_PAGES)} pages (< 3 min when cached)",
    )
    parser.add_argument(
        "--pages",
        nargs="*",
        default=(),
        help="only manifest pages whose path contains one of these strings",
    )
    parser.add_argument(
        "--classes",
        action="store_true",
        help="only the classes of page real sites showed psdata getting wrong: "
        + ", ".join(PAGE_CLASSES)
        + " (MANIFEST exercises)",
    )
    parser.add_argument("--limit", type=int, default=None, help="at most N pages")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="psdata runs per page and setting; per-page values are medians",
    )
    parser.add_argument("--form-factors", nargs="+", choices=FORM_FACTORS, default=FORM_FACTORS)
    parser.add_argument(
        "--quiet-window-ms",
        type=float,
        default=None,
        help="psdata quiet window (default: Lighthouse's waits of the throttling method)",
    )
    parser.add_argument(
        "--fresh-lighthouse",
        action="store_true",
        help="run Lighthouse again instead of reusing bench/out/lighthouse/",
    )
    parser.add_argument(
        "--lighthouse-only",
        action="store_true",
        help="only run Lighthouse (fill bench/out/lighthouse/), then stop",
    )
    parser.add_argument(
        "--lighthouse-runs",
        type=int,
        default=1,
        help="Lighthouse runs on each page psdata is off (|Δperf| over the median target, or "
        "TBT off) after the first run; psdata is then compared with the range of the runs "
        "(more runs only widen it, so pages within target need no more)",
    )
    parser.add_argument(
        "--lighthouse-timeout", type=float, default=180.0, help="seconds per Lighthouse run"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_LEVEL,
        help=f"the psdata concurrency compared with 1 (default: {DEFAULT_LEVEL})",
    )
    parser.add_argument(
        "--throttling",
        choices=tuple(TARGET_METRICS),
        default=ENGINES["lab"].default_throttling,
        help="throttling method of both sides (default: psdata's, %(default)s)",
    )
    parser.add_argument(
        "--no-trace",
        action="store_true",
        help="psdata without the browser-wide trace (TBT from in-page observers), to compare",
    )
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- running


def run_lighthouse_side(
    site: Any,
    paths: list[str],
    form_factor: str,
    *,
    throttling: str,
    fresh: bool,
    timeout: float,
    clock: Any,
    run: int = 1,
) -> dict[str, dict[str, Any]]:
    """Lighthouse's *run*-th result per page path for one form factor (cached per run)."""
    import lighthouse_runner as lr

    settings = lr.LighthouseSettings(
        form_factor=form_factor, throttling_method=throttling, timeout_s=timeout
    )
    urls = [site.url(p) for p in paths]
    print(
        f"{clock()} Lighthouse {form_factor} {throttling} run {run}: {len(urls)} pages "
        f"({'fresh' if fresh else 'cache reused where present'})",
        flush=True,
    )
    results = lr.run_lighthouse(
        urls,
        settings,
        use_cache=not fresh,
        cache_tag=common.pages_tag() + (f"|run{run}" if run > 1 else ""),
        progress=lambda line: print(f"{clock()}   LH {line}", flush=True),
    )
    return dict(zip(paths, results, strict=True))


def run_psdata_side(
    urls: list[str],
    form_factor: str,
    concurrency: int,
    args: argparse.Namespace,
    cache_dir: Path,
) -> dict[str, Any]:
    """One psdata run: rows, per-audit scores and phase timings."""
    import psdata

    start = time.perf_counter()
    frame = psdata.analyze(
        urls,
        strategy=form_factor,
        throttling=args.throttling,
        concurrency=concurrency,
        quiet_window_ms=args.quiet_window_ms,
        skip_cache=True,
        cache_dir=cache_dir,
        progress=False,
    )
    wall = time.perf_counter() - start
    audit_rows = psdata.audits(frame)
    audits: dict[str, dict[str, dict[str, Any]]] = {}
    for _, row in audit_rows.iterrows():
        audits.setdefault(str(row["url"]), {}).setdefault(str(row["category"]), {})[
            str(row["audit_id"])
        ] = {
            "score": common.jsonable(row["score"]),
            "display_mode": str(row["display_mode"]),
            "savings_ms": common.jsonable(row["savings_ms"]),
            "savings_bytes": common.jsonable(row["savings_bytes"]),
        }
    warnings = {
        str(r["url"]): r.get("warnings") for r in common.frame_records(frame, ["url", "warnings"])
    }
    return {
        "wall_s": wall,
        "rows": common.scored_rows(frame),
        "warnings": warnings,
        "audits": audits,
        "phases": common.phase_rows(frame),
        "records": common.frame_records(frame),
    }


# --------------------------------------------------------------------------- analysis


def lighthouse_values(result: dict[str, Any]) -> dict[str, Any]:
    """Scores and metrics of one Lighthouse result, flat (None when not scored)."""
    if result.get("error") or result.get("runtime_error"):
        return {k: None for k in (*CATEGORIES, *METRICS)}
    return {
        **{k: result["scores"].get(k) for k in CATEGORIES},
        **{k: result["metrics"].get(k) for k in METRICS},
    }


def lighthouse_range(results: list[dict[str, Any]]) -> dict[str, tuple[Any, Any] | None]:
    """Per score and metric, (lowest, highest) over the Lighthouse runs that scored it."""
    scored = [lighthouse_values(r) for r in results]
    bounds: dict[str, tuple[Any, Any] | None] = {}
    for key in (*CATEGORIES, *METRICS):
        values = [v[key] for v in scored if v[key] is not None]
        bounds[key] = (min(values), max(values)) if values else None
    return bounds


def reference(page: dict[str, Any], key: str, value: Any) -> float | None:
    """What psdata's ``value`` is compared with: the nearest point of Lighthouse's range."""
    bounds = page["lighthouse_range"][key]
    return None if bounds is None else common.nearest_in_range(value, bounds)


def tbt_off(value: Any, lighthouse: Any) -> bool:
    """Is psdata's TBT outside the tolerance around Lighthouse's?"""
    error = common.abs_diff(value, lighthouse)
    share, floor_ms = TBT_TOLERANCE
    return error is not None and error > max(floor_ms, share * float(lighthouse))


def off_target(lighthouse: dict[str, Any], row: dict[str, Any], throttling: str) -> bool:
    """Is psdata's row off one Lighthouse run by more than the median |Δperf| target, or
    its TBT off? (Such pages get more Lighthouse runs with ``--lighthouse-runs``.)"""
    delta = common.abs_diff(row.get("performance"), lighthouse["performance"])
    limit = targets_for(throttling)["perf_median"][1]
    return (delta is not None and delta > limit) or tbt_off(row.get("tbt_ms"), lighthouse["tbt_ms"])


def ps_score(audit: dict[str, Any]) -> float | None:
    """psdata's score of an audit as Lighthouse's parsed report carries it: ``None``
    unless its display mode is scored (an informative audit's 1 does not count)."""
    return audit["score"] if audit["display_mode"] in SCORED_MODES else None


def compare_audits(
    lh_audits: dict[str, dict[str, Any]], ps_audits: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Audit-level disagreements on one page, every category; an audit Lighthouse lists
    and psdata does not have is one (``missing``)."""
    found = []
    for category, lh_scores in lh_audits.items():
        ours = ps_audits.get(category, {})
        for audit_id, lh_score in lh_scores.items():
            if audit_id not in ours:
                found.append(
                    {
                        "category": category,
                        "audit_id": audit_id,
                        "kind": "missing",
                        "lighthouse": lh_score,
                        "psdata": None,
                    }
                )
                continue
            score = ps_score(ours[audit_id])
            mode = ours[audit_id]["display_mode"]
            if lh_score is None and score is None:
                continue
            if lh_score is None or score is None:
                kind = "applicability"
            elif mode == "binary" or {lh_score, score} <= {0, 1}:
                if lh_score == score:
                    continue
                kind = "binary"
            elif abs(lh_score - score) >= NUMERIC_AUDIT_TOLERANCE:
                kind = "numeric"
            else:
                continue
            found.append(
                {
                    "category": category,
                    "audit_id": audit_id,
                    "kind": kind,
                    "lighthouse": lh_score,
                    "psdata": score,
                }
            )
    return found


def passes(score: Any) -> bool:
    """Lighthouse's pass/fail of an audit score: passing from 0.9, or unscored (not
    applicable, informative, manual).

    >>> passes(0.9), passes(0.5), passes(None)
    (True, False, True)
    """
    return score is None or score >= PASS_SCORE


def audit_pairs(
    lh_result: dict[str, Any], ps_audits: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Pass/fail of every (category, audit) Lighthouse decided on one page, and
    psdata's: ``None`` when psdata lacks the audit (``missing``) or could not decide it
    (``undecided``); both count as disagreements. Audits Lighthouse could not decide
    (display mode ``error``) are left out: there is nothing to agree with."""
    pairs = []
    modes = lh_result.get("audit_modes", {})
    for category, lh_scores in lh_result.get("audits", {}).items():
        ours = ps_audits.get(category, {})
        for audit_id, lh_score in lh_scores.items():
            if modes.get(category, {}).get(audit_id) == ERROR:
                continue
            audit = ours.get(audit_id)
            if audit is None:
                state, ps_passes = "missing", None
            elif audit["display_mode"] == ERROR:
                state, ps_passes = "undecided", None
            else:
                state, ps_passes = "decided", passes(ps_score(audit))
            pairs.append(
                {
                    "category": category,
                    "audit_id": audit_id,
                    "lighthouse_passes": passes(lh_score),
                    "psdata_passes": ps_passes,
                    "state": state,
                }
            )
    return pairs


def agreement(pairs_by_page: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Pass/fail agreement over all pages' pairs, overall and per category, and where it
    failed (missing and undecided audits count as disagreements)."""
    by_category: dict[str, list[bool]] = {}
    disagreeing: dict[str, list[str]] = {}
    for path, pairs in pairs_by_page.items():
        for pair in pairs:
            agrees = pair["psdata_passes"] == pair["lighthouse_passes"]
            by_category.setdefault(pair["category"], []).append(agrees)
            if not agrees:
                key = f"{pair['category']}/{pair['audit_id']} ({pair['state']})"
                disagreeing.setdefault(key, []).append(path)
    every = [a for values in by_category.values() for a in values]
    return {
        "pairs": len(every),
        "agreement": sum(every) / len(every) if every else None,
        "by_category": {c: sum(v) / len(v) for c, v in by_category.items() if v},
        "disagreeing": disagreeing,
    }


def unexplained_missing(row: dict[str, Any], warnings: str | None) -> list[str]:
    """Categories psdata left without a score and without a warning naming them.

    >>> unexplained_missing({"performance": 90, "accessibility": None, "seo": None},
    ...                     "accessibility not scored: axe did not finish within 60 s")
    ['seo']
    """
    if row.get("error"):
        return []  # a failed row explains itself in `error`
    text = (warnings or "").lower()
    return [
        cat
        for cat in CATEGORIES
        if cat in row and row[cat] is None and cat.replace("_", " ") not in text.replace("_", " ")
    ]


def summarize(pages: dict[str, dict[str, Any]], throttling: str) -> dict[str, Any]:
    """Agreement of psdata (concurrency 1) with Lighthouse's range over pages of one form
    factor (an error under ``NEGLIGIBLE_MS`` counts as 0 in the relative error)."""
    both = {
        path: p
        for path, p in pages.items()
        if p["lighthouse"]["performance"] is not None and p["psdata"][1]["performance"] is not None
    }
    summary: dict[str, Any] = {"pages_compared": len(both), "pages": len(pages)}
    for cat in CATEGORIES:
        deltas = [
            common.abs_diff(p["psdata"][1][cat], reference(p, cat, p["psdata"][1][cat]))
            for p in both.values()
        ]
        summary[cat] = {
            "median_abs_delta": common.median(deltas),
            "worst_abs_delta": common.worst(deltas),
        }
    for metric in METRICS:
        pairs = {
            path: (p["psdata"][1][metric], reference(p, metric, p["psdata"][1][metric]))
            for path, p in both.items()
        }
        abs_errors = [common.abs_diff(a, b) for a, b in pairs.values()]
        entry: dict[str, Any] = {
            "median_abs_error": common.median(abs_errors),
            "worst_abs_error": common.worst(abs_errors),
        }
        if metric == "cls":
            entry["pages_over_tolerance"] = sum(
                1 for e in abs_errors if e is not None and e > CLS_TOLERANCE
            )
        else:
            entry["median_rel_error"] = common.median(
                0.0
                if error is not None and error < NEGLIGIBLE_MS[throttling]
                else common.rel_diff(a, b, metric)
                for error, (a, b) in zip(abs_errors, pairs.values(), strict=True)
            )
        if metric == "tbt_ms":
            entry["pages_off"] = [path for path, (a, b) in pairs.items() if tbt_off(a, b)]
        summary[metric] = entry
    return summary


def stability(pages: dict[str, dict[str, Any]], level: int) -> dict[str, Any]:
    """psdata concurrency 1 vs *level* on the same pages."""
    rows = [
        p["psdata"]
        for p in pages.values()
        if p["psdata"][1]["performance"] is not None
        and p["psdata"][level]["performance"] is not None
    ]
    deltas = [common.abs_diff(r[level]["performance"], r[1]["performance"]) for r in rows]
    out: dict[str, Any] = {
        "level": level,
        "pages": len(rows),
        "performance": {
            "median_abs_delta": common.median(deltas),
            "worst_abs_delta": common.worst(deltas),
        },
    }
    for metric in METRICS:
        if metric == "cls":
            out[metric] = {
                "median_abs_diff": common.median(
                    common.abs_diff(r[level][metric], r[1][metric]) for r in rows
                )
            }
        else:
            out[metric] = {
                "median_rel_diff": common.median(
                    common.rel_diff(r[level][metric], r[1][metric], metric) for r in rows
                )
            }
    return out


# --------------------------------------------------------------------------- printing


def print_pages(form_factor: str, pages: dict[str, dict[str, Any]]) -> None:
    print(
        f"\n=== {form_factor}: scores (LH = Lighthouse {LIGHTHOUSE_VERSION}, low–high over its"
        " runs; ps = psdata conc. 1; Δ from LH's range) ==="
    )
    headers = ["page"]
    for cat in ("perf", "a11y", "bp", "seo"):
        headers += [f"{cat} LH", "ps", "Δ"]
    rows = []
    for path, page in pages.items():
        bounds, ps = page["lighthouse_range"], page["psdata"][1]
        row = [path]
        for cat in CATEGORIES:
            ref = reference(page, cat, ps[cat])
            delta = None if ref is None or ps[cat] is None else ps[cat] - ref
            row += [fmt_range(bounds[cat]), fmt(ps[cat]), fmt(delta)]
        if page["lighthouse_problem"] or page["psdata_problem"]:
            row[0] += " *"
        rows.append(row)
    print(common.table(headers, rows))
    problems = [
        (p, v["lighthouse_problem"], v["psdata_problem"])
        for p, v in pages.items()
        if v["lighthouse_problem"] or v["psdata_problem"]
    ]
    for path, lh_problem, ps_problem in problems:
        print(f"  * {path}: Lighthouse: {lh_problem or 'ok'}; psdata: {ps_problem or 'ok'}")

    print(f"\n=== {form_factor}: metrics, Lighthouse / psdata (ms; CLS unitless) ===")
    headers = ["page"]
    for metric in METRICS:
        headers += [f"{METRIC_LABELS[metric]} LH", "ps"]
    rows = []
    for path, page in pages.items():
        bounds, ps = page["lighthouse_range"], page["psdata"][1]
        row = [path]
        for metric in METRICS:
            digits = 3 if metric == "cls" else 0
            row += [fmt_range(bounds[metric], digits), fmt(ps[metric], digits)]
        rows.append(row)
    print(common.table(headers, rows))


def print_summary(form_factor: str, s: dict[str, Any], throttling: str) -> list[list[str]]:
    """Print the agreement summary; return the target rows."""
    targets_of = targets_for(throttling)
    print(
        f"\n=== {form_factor}: psdata vs Lighthouse over {s['pages_compared']} of "
        f"{s['pages']} pages (both scored) ==="
    )
    rows = [
        [cat, fmt(s[cat]["median_abs_delta"], 1), fmt(s[cat]["worst_abs_delta"], 1)]
        for cat in CATEGORIES
    ]
    print(common.table(["category", "median |Δ|", "worst |Δ|"], rows))
    rows = []
    for metric in METRICS:
        e = s[metric]
        digits = 3 if metric == "cls" else 0
        rel = (
            f"{e['pages_over_tolerance']} pages > {CLS_TOLERANCE}"
            if metric == "cls"
            else fmt(e["median_rel_error"], 1, pct=True)
        )
        rows.append(
            [
                METRIC_LABELS[metric],
                rel,
                fmt(e["median_abs_error"], digits),
                fmt(e["worst_abs_error"], digits),
            ]
        )
    print(common.table(["metric", "median rel. err", "median abs err", "worst abs err"], rows))
    targets = [
        common.target_row(
            f"{form_factor} median |Δperf|",
            s["performance"]["median_abs_delta"],
            *targets_of["perf_median"],
            fmt(s["performance"]["median_abs_delta"], 1),
        ),
        common.target_row(
            f"{form_factor} worst |Δperf|",
            s["performance"]["worst_abs_delta"],
            *targets_of["perf_worst"],
            fmt(s["performance"]["worst_abs_delta"], 1),
        ),
        common.target_row(
            f"{form_factor} pages |ΔCLS| > {CLS_TOLERANCE}",
            s["cls"]["pages_over_tolerance"] if s["pages_compared"] else None,
            *targets_of["cls_pages_over"],
            str(s["cls"]["pages_over_tolerance"]),
        ),
    ]
    if "tbt_pages_off" in targets_of:
        off = s["tbt_ms"]["pages_off"]
        share, floor_ms = TBT_TOLERANCE
        targets.append(
            common.target_row(
                f"{form_factor} pages with TBT off (> {share:.0%} and > {floor_ms:.0f} ms)",
                len(off) if s["pages_compared"] else None,
                *targets_of["tbt_pages_off"],
                str(len(off)),
            )
        )
        for path in off:
            print(f"  TBT off: {path}")
    for metric in TARGET_METRICS[throttling]:
        value = s[metric]["median_rel_error"]
        targets.append(
            common.target_row(
                f"{form_factor} {METRIC_LABELS[metric]} median rel. err",
                value,
                *targets_of["metric_rel"],
                fmt(value, 1, pct=True),
                pct=True,
            )
        )
    for cat in CATEGORIES[1:]:
        worst = "best_practices_worst" if cat == "best_practices" else "category_worst"
        for stat, key in (("median", "category_median"), ("worst", worst)):
            value = s[cat][f"{stat}_abs_delta"]
            targets.append(
                common.target_row(
                    f"{form_factor} {stat} |Δ{cat}|", value, *targets_of[key], fmt(value, 1)
                )
            )
    return targets


def print_agreement(form_factor: str, result: dict[str, Any]) -> list[list[str]]:
    """The pass/fail agreement of every audit Lighthouse lists; returns its target row."""
    print(
        f"\n=== {form_factor}: audit pass/fail agreement with Lighthouse, all categories"
        f" ({result['pairs']} page-audit pairs; missing and undecided audits disagree) ==="
    )
    rows = [[cat, fmt(value, 1, pct=True)] for cat, value in result["by_category"].items()]
    print(common.table(["category", "agreement"], rows))
    for key, paths in sorted(result["disagreeing"].items(), key=lambda kv: -len(kv[1])):
        shown = "; ".join(paths[:3]) + (f"; +{len(paths) - 3} more" if len(paths) > 3 else "")
        print(f"  {key}: {len(paths)} page(s): {shown}")
    return [
        common.target_row(
            f"{form_factor} audit pass/fail agreement ({result['pairs']} pairs, all categories)",
            result["agreement"],
            *TARGETS["audit_agreement"],
            fmt(result["agreement"], 1, pct=True),
            pct=True,
        )
    ]


def print_audits(form_factor: str, disagreements: dict[str, list[dict[str, Any]]]) -> None:
    by_audit: dict[tuple[str, str, str], list[str]] = {}
    for path, items in disagreements.items():
        for item in items:
            by_audit.setdefault((item["category"], item["audit_id"], item["kind"]), []).append(
                f"{path} (LH {item['lighthouse']}, ps {item['psdata']})"
                if item["kind"] != "missing"
                else path
            )
    print(f"\n=== {form_factor}: audits that disagree (psdata conc. 1 vs Lighthouse) ===")
    if not by_audit:
        print("none")
        return
    order = {"binary": 0, "numeric": 1, "applicability": 2, "missing": 3}
    rows = []
    for (category, audit_id, kind), where in sorted(
        by_audit.items(), key=lambda kv: (order[kv[0][2]], kv[0][0], kv[0][1])
    ):
        shown = "; ".join(where[:3]) + (f"; +{len(where) - 3} more" if len(where) > 3 else "")
        rows.append([audit_id, category, kind, str(len(where)), shown])
    print(common.table(["audit", "category", "kind", "pages", "where"], rows))
    print(
        "kinds: binary = pass/fail differs; numeric = |Δscore| ≥ "
        f"{NUMERIC_AUDIT_TOLERANCE}; applicability = one scored, the other N/A; "
        "missing = not in psdata's category"
    )


def print_audits_per_page(
    form_factor: str,
    disagreements: dict[str, list[dict[str, Any]]],
    missing: dict[str, list[str]],
    warnings: dict[str, str | None],
) -> list[list[str]]:
    """Every audit whose score differs from Lighthouse's, page by page; pages with a
    category score missing without a warning. Returns the target row for the latter."""
    print(f"\n=== {form_factor}: per page, audits whose score differs from Lighthouse's ===")
    for path, items in disagreements.items():
        shown = [
            f"{i['audit_id']} ({i['category']}, {i['kind']}: LH {fmt_score(i['lighthouse'])}, "
            f"ps {fmt_score(i['psdata'])})"
            for i in items
        ]
        print(f"{path}: {'; '.join(shown) if shown else 'all audits agree'}")
        if warnings.get(path):
            print(f"    psdata warnings: {warnings[path]}")
    unexplained = {path: cats for path, cats in missing.items() if cats}
    for path, cats in unexplained.items():
        print(f"  UNEXPLAINED: {path}: no {', '.join(cats)} score and no warning saying why")
    count = sum(len(cats) for cats in unexplained.values())
    return [
        common.target_row(
            f"{form_factor} missing category scores without a warning",
            count,
            *TARGETS["unexplained_missing"],
            str(count),
        )
    ]


def fmt_range(bounds: tuple[Any, Any] | None, digits: int = 0) -> str:
    """Lighthouse's range in a table cell: one number when its runs agree."""
    if bounds is None:
        return "-"
    low, high = (fmt(b, digits) for b in bounds)
    return low if low == high else f"{low}–{high}"


def fmt_score(value: Any) -> str:
    """An audit score for printing: two decimals, or "n/a".

    >>> fmt_score(None), fmt_score(1), fmt_score(0.456)
    ('n/a', '1', '0.46')
    """
    if value is None:
        return "n/a"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value not in (0, 1) else str(int(value))


def print_stability(form_factor: str, st: dict[str, Any], throttling: str) -> list[list[str]]:
    print(f"\n=== {form_factor}: psdata concurrency 1 vs {st['level']} ({st['pages']} pages) ===")
    perf = st["performance"]
    rows = [["performance |Δ|", fmt(perf["median_abs_delta"], 1), fmt(perf["worst_abs_delta"], 1)]]
    for metric in METRICS:
        if metric == "cls":
            rows.append(["CLS abs diff", fmt(st[metric]["median_abs_diff"], 3), ""])
        else:
            rows.append(
                [
                    f"{METRIC_LABELS[metric]} rel. diff",
                    fmt(st[metric]["median_rel_diff"], 1, pct=True),
                    "",
                ]
            )
    print(common.table(["measure", "median", "worst"], rows))
    return [
        common.target_row(
            f"{form_factor} conc. 1 vs {st['level']} median |Δperf|",
            perf["median_abs_delta"],
            *targets_for(throttling)["conc_perf_median"],
            fmt(perf["median_abs_delta"], 1),
        )
    ]


def print_overhead(phases: dict[str, list[dict[str, Any]]]) -> tuple[list[list[str]], dict]:
    print(
        "\n=== psdata per-URL time by phase (median ms; overhead = total − load − quiet_wait;"
        " engine = overhead − audits − bf_cache) ==="
    )
    columns = [*common.PHASES, "total", "overhead", "engine_overhead"]
    headers = ["run", "URLs", *common.PHASES, "total", "overhead", "engine"]
    rows, medians = [], {}
    for name, items in phases.items():
        med = common.phase_medians(items)
        medians[name] = med
        rows.append([name, str(len(items)), *(fmt(med[k]) for k in columns)])
    print(common.table(headers, rows))
    conc1 = [r for name, items in phases.items() if name.endswith("conc1") for r in items]
    engine = common.median(r["engine_overhead"] for r in conc1)
    audits = common.median(r["audits"] for r in conc1)
    return [
        common.target_row(
            "engine overhead per URL, without audits (conc. 1, median ms)",
            engine,
            *TARGETS["overhead_ms"],
            fmt(engine),
        ),
        common.target_row(
            "a11y + best practices + SEO audits per URL (conc. 1, median ms)",
            audits,
            *TARGETS["audits_ms"],
            fmt(audits),
        ),
    ], medians


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import psdata

    if args.no_trace:
        common.without_trace()
    clock = common.Clock()
    patterns = QUICK_PAGES if args.quick and not args.pages else args.pages
    paths = common.select_pages(patterns=patterns, limit=args.limit)
    if args.classes:
        classes = {
            page["path"]
            for page in common.manifest_pages()
            if set(page.get("exercises", ())) & set(PAGE_CLASSES)
        }
        paths = [path for path in paths if path in classes]
    if not paths:
        print("no pages selected", file=sys.stderr)
        return 2
    repeat = max(1, args.repeat)
    output: dict[str, Any] = {
        "benchmark": "compare_lighthouse",
        "environment": common.environment(),
        "args": vars(args) | {"pages": list(patterns)},
        "paths": paths,
        "lighthouse_cache_tag": common.pages_tag(),
        "form_factors": {},
    }
    levels = tuple(dict.fromkeys((1, args.concurrency)))  # --concurrency 1: one run
    psdata.set_max_concurrent_contexts(max(levels))
    all_targets: list[list[str]] = []
    phases: dict[str, list[dict[str, Any]]] = {}
    with common.serve_pages() as site, tempfile.TemporaryDirectory(prefix="psdata-cmp-") as tmp:
        urls = [site.url(p) for p in paths]
        common.warm_up(common.with_query(site.url("baseline/minimal.html"), "warmup", 1), tmp)
        path_of = dict(zip(urls, paths, strict=True))
        lighthouse_side = functools.partial(
            run_lighthouse_side,
            site,
            throttling=args.throttling,
            fresh=args.fresh_lighthouse,
            timeout=args.lighthouse_timeout,
            clock=clock,
        )
        lighthouse = {
            ff: {path: [result] for path, result in lighthouse_side(paths, ff).items()}
            for ff in args.form_factors
        }
        if args.lighthouse_only:
            print(f"{clock()} Lighthouse results cached in bench/out/lighthouse/")
            return 0
        runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for r in range(repeat):
            for conc in levels:
                for ff in args.form_factors:
                    cache_dir = Path(tmp) / f"r{r}-{ff}-c{conc}"
                    run = run_psdata_side(urls, ff, conc, args, cache_dir)
                    runs.setdefault((ff, conc), []).append(run)
                    phases.setdefault(f"{ff} conc{conc}", []).extend(run["phases"])
                    print(
                        f"{clock()} psdata {ff} conc. {conc} run {r + 1}/{repeat}: "
                        f"{len(urls)} URLs in {run['wall_s']:.1f} s",
                        flush=True,
                    )
        for ff in args.form_factors:
            off = [
                path
                for url, path in path_of.items()
                if off_target(
                    lighthouse_values(lighthouse[ff][path][0]),
                    runs[(ff, 1)][0]["rows"].get(url, {}),
                    args.throttling,
                )
            ]
            for lh_run in range(2, args.lighthouse_runs + 1):
                for path, result in lighthouse_side(off, ff, run=lh_run).items():
                    lighthouse[ff][path].append(result)

    for ff in args.form_factors:
        pages: dict[str, dict[str, Any]] = {}
        disagreements: dict[str, list[dict[str, Any]]] = {}
        pairs: dict[str, list[dict[str, Any]]] = {}
        missing: dict[str, list[str]] = {}
        page_warnings: dict[str, str | None] = {}
        for url, path in path_of.items():
            lh_result = lighthouse[ff][path][0]
            ps: dict[int, dict[str, Any]] = {}
            for conc in levels:
                per_run = [run["rows"].get(url, {}) for run in runs[(ff, conc)]]
                ps[conc] = common.median_of_runs(per_run, [*CATEGORIES, *METRICS])
                ps[conc]["runs"] = per_run
            first = runs[(ff, 1)][0]["rows"].get(url, {})
            page_warnings[path] = runs[(ff, 1)][0]["warnings"].get(url)
            missing[path] = sorted(
                {
                    cat
                    for conc in levels
                    for run in runs[(ff, conc)]
                    for cat in unexplained_missing(
                        run["rows"].get(url, {}), run["warnings"].get(url)
                    )
                }
            )
            lh_problem = lh_result.get("error") or lh_result.get("runtime_error")
            pages[path] = {
                "lighthouse": common.median_of_runs(
                    [lighthouse_values(r) for r in lighthouse[ff][path]], [*CATEGORIES, *METRICS]
                ),
                "lighthouse_range": lighthouse_range(lighthouse[ff][path]),
                "lighthouse_runs": len(lighthouse[ff][path]),
                "psdata": ps,
                "lighthouse_problem": lh_problem,
                "psdata_problem": first.get("error_type"),
                "lighthouse_wall_s": lh_result.get("wall_time_s"),
                "lighthouse_cached": lh_result.get("cached"),
            }
            if not lh_problem and not first.get("error"):
                ps_audits = runs[(ff, 1)][0]["audits"].get(url, {})
                disagreements[path] = compare_audits(lh_result.get("audits", {}), ps_audits)
                pairs[path] = audit_pairs(lh_result, ps_audits)
        summary = summarize(pages, args.throttling)
        stab = stability(pages, args.concurrency) if len(levels) > 1 else {}
        print_pages(ff, pages)
        all_targets += print_summary(ff, summary, args.throttling)
        print_audits(ff, disagreements)
        all_targets += print_audits_per_page(ff, disagreements, missing, page_warnings)
        agreed = agreement(pairs)
        all_targets += print_agreement(ff, agreed)
        opp_pairs = {
            path: (
                lighthouse[ff][path][0].get("opportunities") or {},
                runs[(ff, 1)][0]["audits"].get(url, {}).get("performance", {}),
            )
            for url, path in path_of.items()
            if path in disagreements  # both sides scored the page
        }
        opp = opportunities_compare.compare(opp_pairs)
        all_targets += opportunities_compare.print_comparison(ff, opp)
        if stab:
            all_targets += print_stability(ff, stab, args.throttling)
        output["form_factors"][ff] = {
            "pages": pages,
            "summary": summary,
            "concurrency_stability": stab,
            "audit_disagreements": disagreements,
            "audit_agreement": agreed,
            "unexplained_missing_scores": missing,
            "psdata_warnings": page_warnings,
            "opportunities": opp,
            "lighthouse_raw": lighthouse[ff],
            "psdata_raw": {
                f"conc{c}": [
                    {"wall_s": run["wall_s"], "records": run["records"], "phases": run["phases"]}
                    for run in runs[(ff, c)]
                ]
                for c in levels
            },
        }
    overhead_targets, medians = print_overhead(phases)
    all_targets += overhead_targets
    output["phase_medians_ms"] = medians
    common.print_targets(all_targets)
    output["targets"] = all_targets
    path = common.write_json("compare_lighthouse" + ("-quick" if args.quick else ""), output)
    print(f"\nraw numbers: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
