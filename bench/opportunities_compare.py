"""psdata's performance opportunities and diagnostics vs Lighthouse's, page by page.

An audit *fails* when its score is below Lighthouse's pass threshold; not
applicable and informative audits pass. A pair is *decided* when neither side is in
error (psdata's trace-based audits are, until the page's trace is collected); an audit
psdata does not have is decided and disagrees. Savings ratios (psdata / Lighthouse) are
taken where both sides fail the audit and report savings above zero.
"""

from __future__ import annotations

import math
from typing import Any

import common
from common import fmt

from psdata._lighthouse import ERROR, PASS_SCORE

#: (op, threshold) per target, as in the issue (#18).
TARGETS = {
    "agreement": (">=", 0.95),
    "ms_ratio": ("<=", 0.20),
    "bytes_ratio": ("<=", 0.10),
}


def _fails(score: Any, mode: Any) -> bool | None:
    """True/False, or None when the audit could not be decided (error)."""
    if mode == ERROR:
        return None
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return False
    return float(score) < PASS_SCORE


def _positive(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value) if float(value) > 0 else None


def compare(
    pairs: dict[str, tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]],
) -> dict[str, Any]:
    """Per audit: pages decided, agreeing, disagreeing (where), savings ratios."""
    per_audit: dict[str, dict[str, Any]] = {}
    for path, (lighthouse, ours) in pairs.items():
        for audit_id, lh in lighthouse.items():
            entry = per_audit.setdefault(
                audit_id,
                {
                    "pairs": 0,
                    "agree": 0,
                    "undecided": 0,
                    "missing": 0,
                    "disagree": [],
                    "ms_ratios": [],
                    "bytes_ratios": [],
                },
            )
            entry["pairs"] += 1
            ps = ours.get(audit_id)
            if ps is None:
                entry["missing"] += 1
                entry["disagree"].append(f"{path} (psdata lacks it)")
                continue
            lh_fails = _fails(lh.get("score"), lh.get("mode"))
            ps_fails = _fails(ps.get("score"), ps.get("display_mode"))
            if lh_fails is None or ps_fails is None:
                entry["undecided"] += 1
                continue
            if lh_fails == ps_fails:
                entry["agree"] += 1
            else:
                entry["disagree"].append(f"{path} (LH {'fail' if lh_fails else 'pass'})")
            if lh_fails and ps_fails:
                for kind in ("ms", "bytes"):
                    a = _positive(ps.get(f"savings_{kind}"))
                    b = _positive(lh.get(f"savings_{kind}"))
                    if a is not None and b is not None:
                        entry[f"{kind}_ratios"].append(a / b)
    decided = sum(e["agree"] + len(e["disagree"]) for e in per_audit.values())
    agreed = sum(e["agree"] for e in per_audit.values())
    ms = [abs(r - 1) for e in per_audit.values() for r in e["ms_ratios"]]
    size = [abs(r - 1) for e in per_audit.values() for r in e["bytes_ratios"]]
    return {
        "audits": per_audit,
        "pairs": sum(e["pairs"] for e in per_audit.values()),
        "decided": decided,
        "agreement": agreed / decided if decided else None,
        "ms_ratio_median_abs_error": common.median(ms),
        "ms_ratio_pairs": len(ms),
        "bytes_ratio_median_abs_error": common.median(size),
        "bytes_ratio_pairs": len(size),
    }


def print_comparison(form_factor: str, result: dict[str, Any]) -> list[list[str]]:
    """Print the per-audit table; return the target rows."""
    print(f"\n=== {form_factor}: performance opportunities and diagnostics vs Lighthouse ===")
    rows = []
    for audit_id, e in sorted(result["audits"].items()):
        decided = e["agree"] + len(e["disagree"])
        rows.append(
            [
                audit_id,
                str(decided),
                str(e["agree"]),
                str(e["undecided"]),
                fmt(common.median(e["bytes_ratios"]), 2),
                fmt(common.median(e["ms_ratios"]), 2),
                "; ".join(e["disagree"][:3]) + (" …" if len(e["disagree"]) > 3 else ""),
            ]
        )
    print(
        common.table(
            ["audit", "decided", "agree", "undecided", "bytes ps/LH", "ms ps/LH", "disagree"],
            rows,
        )
    )
    agreement = result["agreement"]
    return [
        common.target_row(
            f"{form_factor} opportunities pass/fail agreement "
            f"({result['decided']}/{result['pairs']} pairs decided)",
            agreement,
            *TARGETS["agreement"],
            fmt(agreement, 1, pct=True),
            pct=True,
        ),
        common.target_row(
            f"{form_factor} median |ms savings ratio − 1| ({result['ms_ratio_pairs']} pairs)",
            result["ms_ratio_median_abs_error"],
            *TARGETS["ms_ratio"],
            fmt(result["ms_ratio_median_abs_error"], 2),
        ),
        common.target_row(
            f"{form_factor} median |byte savings ratio − 1| ({result['bytes_ratio_pairs']} pairs)",
            result["bytes_ratio_median_abs_error"],
            *TARGETS["bytes_ratio"],
            fmt(result["bytes_ratio_median_abs_error"], 2),
        ),
    ]
