"""Make tests/fixtures/lantern/: Lighthouse's own inputs and outputs for Lantern.

For each case, with the pinned Lighthouse (``bench/``, ``npm ci``) and the system Chromium:

1. ``lighthouse URL -G=DIR`` gathers the artifacts (default throttling: simulate) of a
   bench page served on 127.0.0.1;
2. the trace is reduced to what the fidelity test and Lighthouse's performance audits
   read: every renderer main thread (the page's and the others', so the test still has
   to find the right one), the browser's frame/process events, metadata and
   screenshots (for Lighthouse's observed Speed Index);
3. ``lighthouse -A=DIR`` audits the full artifacts and again the reduced ones; the
   script stops if any metric or the performance score differs between the two;
4. Lighthouse's own Speedline computes the observed Speed Index exactly (the report
   rounds it), and its own trace processor (``ProcessedTrace``) finds the page's main
   frame and main thread(s) in the reduced trace; the reduced trace without its
   screenshots (the bulk of it, and nothing Lantern reads), the devtools log (both
   gzip) and the expected values are written.

Run from the repository root (takes about a minute per case)::

    .venv/bin/python scripts/make_lantern_fixtures.py

``--relabel`` only re-derives, with Lighthouse's trace processor, the main frame and
main thread(s) of the committed fixtures (seconds, no Lighthouse run).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = ROOT / "tests" / "fixtures" / "lantern"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))

from lighthouse_runner import CHROME_FLAGS, ensure_lighthouse  # noqa: E402

from psdata._lighthouse import LIGHTHOUSE_VERSION  # noqa: E402
from psdata.demo.server import serve_directory  # noqa: E402

#: name → (path on the bench site, form factor)
CASES: dict[str, tuple[str, str]] = {
    "article-redirect-mobile": ("/__redirect/2?to=/baseline/article.html", "mobile"),
    "heavy-js-mobile": ("/js/heavy-js.html", "mobile"),
    "css-slow-mobile": ("/blocking/css-slow.html", "mobile"),
    "requests-api-mobile": ("/thirdparty/requests/api.html", "mobile"),
    "many-resources-mobile": ("/blocking/many-resources.html", "mobile"),
    "tbt-600-mobile": ("/tbt/tbt-600.html", "mobile"),
    "git-desktop": ("/thirdparty/git/git.html", "desktop"),
    "heavy-js-desktop": ("/js/heavy-js.html", "desktop"),
}
AUDITS = {
    "fcp_ms": "first-contentful-paint",
    "lcp_ms": "largest-contentful-paint",
    "speed_index_ms": "speed-index",
    "tbt_ms": "total-blocking-time",
    "interactive_ms": "interactive",
    "max_potential_fid_ms": "max-potential-fid",
    "cls": "cumulative-layout-shift",
}
BROWSER_EVENTS = {"TracingStartedInBrowser", "FrameCommittedInBrowser", "ProcessReadyInBrowser"}
SPEEDLINE_JS = """
import fs from 'node:fs';
import {Speedline} from '%s';
const trace = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const result = await Speedline.request(trace, {computedCache: new Map()});
process.stdout.write(JSON.stringify({speedIndex: result.speedIndex}));
"""
#: The page's main frame and main thread(s) as Lighthouse's trace processor finds them
#: (``mainFrameInfo`` and the threads of its ``mainThreadEvents``).
MAIN_THREAD_JS = """
import fs from 'node:fs';
import zlib from 'node:zlib';
import {ProcessedTrace} from '%s';
let raw = fs.readFileSync(process.argv[2]);
if (process.argv[2].endsWith('.gz')) raw = zlib.gunzipSync(raw);
const processed = await ProcessedTrace.request(JSON.parse(raw), {computedCache: new Map()});
const threads = {};
for (const e of processed.mainThreadEvents) threads[e.pid] = e.tid;
process.stdout.write(JSON.stringify({
  main_frame_id: processed.mainFrameInfo.frameId,
  renderer_main_threads: threads,
  lighthouse_main_thread_events: processed.mainThreadEvents.length,
}));
"""


def lighthouse(args: list[str], env: dict[str, str]) -> None:
    cli = ensure_lighthouse()
    cmd = ["node", str(cli), *args, "--quiet", "--only-categories=performance"]
    subprocess.run(cmd, cwd=BENCH, env=env, check=True, timeout=300)


def reduce_trace(trace: dict[str, Any], *, screenshots: bool = True) -> dict[str, Any]:
    """Keep what Lantern and Lighthouse's performance metrics read (see module doc).

    Without ``screenshots`` the trace is what the fixture keeps: Lantern never reads
    them, and the observed Speed Index they give is stored exactly beside the trace.
    """
    events = trace["traceEvents"]
    main_threads = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and (e.get("args") or {}).get("name") == "CrRendererMain"
    }
    kept = [
        e
        for e in events
        if (e.get("pid"), e.get("tid")) in main_threads
        or e.get("cat") == "__metadata"
        or e.get("name") in BROWSER_EVENTS
        or (screenshots and e.get("name") == "Screenshot")
    ]
    return {**trace, "traceEvents": kept}


def report_values(report: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: report["audits"][audit].get("numericValue") for name, audit in AUDITS.items()
    }
    values["performance_score"] = report["categories"]["performance"]["score"]
    values["observed_speed_index_rounded"] = report["audits"]["metrics"]["details"]["items"][0][
        "observedSpeedIndex"
    ]
    return values


def audit(directory: Path, env: dict[str, str], flags: list[str]) -> dict[str, Any]:
    report_path = directory / "report.json"
    lighthouse([f"-A={directory}", "--output=json", f"--output-path={report_path}", *flags], env)
    report = json.loads(report_path.read_text())
    report_path.unlink()
    return report


def lighthouse_module(script: str, module: str, trace_path: Path) -> Any:
    """Run *script* (importing Lighthouse's *module*) on a trace file; its JSON output."""
    ensure_lighthouse()
    path = BENCH / "node_modules/lighthouse/core" / module
    with tempfile.NamedTemporaryFile("w", suffix=".mjs", dir=BENCH, delete=False) as f:
        f.write(script % path.as_uri())
    try:
        out = subprocess.run(
            ["node", f.name, str(trace_path)], check=True, capture_output=True, text=True
        ).stdout
    finally:
        os.unlink(f.name)
    return json.loads(out)


def observed_speed_index(trace_path: Path) -> float:
    return float(lighthouse_module(SPEEDLINE_JS, "computed/speedline.js", trace_path)["speedIndex"])


def lighthouse_main_thread(trace_path: Path) -> dict[str, Any]:
    """``main_frame_id``, ``renderer_main_threads`` and ``lighthouse_main_thread_events``."""
    return dict(lighthouse_module(MAIN_THREAD_JS, "computed/processed-trace.js", trace_path))


def make_case(name: str, url: str, form_factor: str, env: dict[str, str], work: Path) -> None:
    full = work / name / "full"
    full.mkdir(parents=True)
    flags = ["--preset=desktop"] if form_factor == "desktop" else []
    lighthouse([url, f"-G={full}", f"--chrome-flags={' '.join(CHROME_FLAGS)}", *flags], env)
    trace = json.loads((full / "defaultPass.trace.json").read_text())
    devtools_log = json.loads((full / "defaultPass.devtoolslog.json").read_text())
    artifacts = json.loads((full / "artifacts.json").read_text())

    reduced_dir = work / name / "reduced"
    shutil.copytree(full, reduced_dir)
    reduced = reduce_trace(trace)
    (reduced_dir / "defaultPass.trace.json").write_text(json.dumps(reduced))

    full_values = report_values(audit(full, env, flags))
    reduced_report = audit(reduced_dir, env, flags)
    reduced_values = report_values(reduced_report)
    if full_values != reduced_values:
        raise SystemExit(
            f"{name}: reduced trace changes Lighthouse's numbers:\n{full_values}\n{reduced_values}"
        )

    main_thread = lighthouse_main_thread(reduced_dir / "defaultPass.trace.json")
    reduced = reduce_trace(trace, screenshots=False)
    expected = {
        "name": name,
        "lighthouse": LIGHTHOUSE_VERSION,
        "lighthouse_chromium": reduced_report["environment"]["hostUserAgent"],
        "form_factor": form_factor,
        "throttling_method": reduced_report["configSettings"]["throttlingMethod"],
        "requested_url": artifacts["URL"]["requestedUrl"],
        "main_document_url": artifacts["URL"]["mainDocumentUrl"],
        **main_thread,
        "observed_speed_index_ms": observed_speed_index(full / "defaultPass.trace.json"),
        "trace_events_full": len(trace["traceEvents"]),
        "trace_events_kept": len(reduced["traceEvents"]),
        "report": reduced_values,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT / f"{name}.trace.json.gz", "wt", compresslevel=9) as f:
        json.dump(reduced, f, separators=(",", ":"))
    with gzip.open(OUT / f"{name}.devtoolslog.json.gz", "wt", compresslevel=9) as f:
        json.dump(devtools_log, f, separators=(",", ":"))
    (OUT / f"{name}.expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(name, reduced_values, flush=True)


def relabel(name: str) -> None:
    """Re-derive a committed case's main frame and thread(s) with Lighthouse's processor."""
    path = OUT / f"{name}.expected.json"
    expected = json.loads(path.read_text())
    found = lighthouse_main_thread(OUT / f"{name}.trace.json.gz")
    changed = {k: (expected.get(k), v) for k, v in found.items() if expected.get(k) != v}
    expected.update(found)
    path.write_text(json.dumps(expected, indent=1) + "\n")
    print(name, "changed:", changed or "nothing", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", default=list(CASES), help="case names (default all)")
    parser.add_argument("--port", type=int, default=18790, help="port of the bench site")
    parser.add_argument(
        "--relabel",
        action="store_true",
        help="only re-derive the committed cases' main frame and thread(s) with Lighthouse",
    )
    args = parser.parse_args()
    if args.relabel:
        for name in args.cases:
            relabel(name)
        return
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    with (
        serve_directory(BENCH / "pages", host="127.0.0.1", port=args.port) as site,
        tempfile.TemporaryDirectory(prefix="psdata-lantern-") as tmp,
    ):
        for name in args.cases:
            path, form_factor = CASES[name]
            make_case(name, site.url(path), form_factor, env, Path(tmp))


if __name__ == "__main__":
    main()
