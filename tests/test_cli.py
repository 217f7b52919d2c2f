"""The ``psdata`` command, run in a subprocess on real files against the local test site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import psdata
from psdata.demo.server import ServedSite
from psdata.engines import ENGINES
from test_psi import KEY, PAGE, Answer, FakeGoogle, google, load  # noqa: F401

#: Fast waits: the quiet windows matter for accuracy, not for what the CLI passes on.
QUICK = ["--quiet-window-ms", "200", "--no-progress", "--timeout", "30"]


def psdata_cli(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m psdata.cli ARGS`` in *cwd* (its own store unless --cache-dir says)."""
    environment = {**os.environ, "PSDATA_CACHE_DIR": str(cwd / "default-cache"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "psdata.cli", *map(str, args)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def write_urls(path: Path, urls: list[str]) -> Path:
    path.write_text("# pages to score\n" + "\n".join(urls) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ help


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["analyze"],
        ["sitemap"],
        ["check"],
        ["report"],
        ["demo"],
        ["cache"],
        ["cache", "info"],
        ["cache", "clear"],
    ],
    ids=lambda c: " ".join(c) or "psdata",
)
def test_every_command_help_has_an_example(command: list[str], tmp_path: Path) -> None:
    done = psdata_cli(*command, "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    examples = done.stdout.split("examples:", 1)
    assert len(examples) == 2, done.stdout
    lines = [line.strip() for line in examples[1].splitlines() if line.strip()]
    assert any(line.startswith(" ".join(["psdata", *command])) for line in lines), lines


def test_analyze_help_names_every_keyword_of_analyze_that_fits_a_command_line(
    tmp_path: Path,
) -> None:
    text = psdata_cli("analyze", "--help", cwd=tmp_path).stdout
    for option in ("--engine", "--throttling", "--categories", "--max-age", "--skip-cache",
                   "--force-retry", "--cache-dir", "--errors", "--timeout", "--quiet-window-ms",
                   "--concurrency", "--strategy", "--psi-key-file", "--psi-endpoint",
                   "--crux-endpoint"):  # fmt: skip
        assert option in text, option
    assert "{" + ",".join(ENGINES["lab"].throttling) + "}" in text  # the lab engine's own list
    assert "--psi-key " not in text and "--psi-key=" not in text


# ------------------------------------------------------------------------------ usage errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "missing.txt"], "cannot read missing.txt"),
        (["analyze", "urls.txt", "--throttling", "fast"], "invalid choice"),
        (["analyze", "urls.txt", "--categories", "speed"], "unknown category"),
        (["analyze", "urls.txt", "--concurrency", "0"], "concurrency must be"),
        (["analyze", "urls.txt", "--max-age", "soon"], "not a duration"),
        (["analyze", "urls.csv", "--column", "page"], "no column 'page'"),
        (["analyze", "urls.txt", "--psi-key", KEY], "never a command-line argument"),
        (["analyze", "urls.txt", f"--psi-key={KEY}"], "never a command-line argument"),
        (["analyze", "urls.txt", "--psi-k", KEY], "unrecognized arguments"),  # no abbreviations
        (["analyze", "urls.txt", "--engine", "psi", "--psi-key-file", "nokey"], "cannot read"),
        (["cache", "clear", "--older-than", "-1"], "0 or more"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_and_configuration_errors_exit_2_with_the_message_on_stderr(
    args: list[str], message: str, tmp_path: Path
) -> None:
    write_urls(tmp_path / "urls.txt", ["http://127.0.0.1:9/"])
    pd.DataFrame({"url": ["http://127.0.0.1:9/"]}).to_csv(tmp_path / "urls.csv", index=False)
    done = psdata_cli(*args, cwd=tmp_path)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert message in done.stderr
    if "--psi-k" not in args:  # argparse echoes what it does not know
        assert KEY not in done.stderr + done.stdout


def test_no_chromium_is_a_configuration_error(tmp_path: Path) -> None:
    write_urls(tmp_path / "urls.txt", ["http://127.0.0.1:9/"])
    done = psdata_cli(
        "analyze", "urls.txt", cwd=tmp_path, env={"PSDATA_CHROMIUM": str(tmp_path / "nochrome")}
    )
    assert done.returncode == 2
    assert "nochrome" in done.stderr and "Traceback" not in done.stderr


# ------------------------------------------------------------------------------ analyze


def test_analyze_a_text_file_passes_its_options_on_and_exits_1_for_failed_rows(
    site: ServedSite, tmp_path: Path
) -> None:
    urls = [site.url("/simple.html"), "not a url", site.url("/__status/404")]
    write_urls(tmp_path / "urls.txt", urls)
    done = psdata_cli(
        "analyze", "urls.txt", "-o", "scores.parquet", "--categories", "performance,seo",
        "--throttling", "provided", "--strategy", "desktop", "--concurrency", "2",
        "--cache-dir", "store", *QUICK, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "1 of 3 rows scored" in done.stdout
    frame = pd.read_parquet(tmp_path / "scores.parquet")
    assert frame.dtypes.to_dict() == psdata.SCHEMA and len(frame) == 3
    assert frame["error_type"].astype(object).tolist()[1:] == ["invalid_url", "http"]
    first = frame.iloc[0]
    assert (first["strategy"], first["throttling"], first["seo"]) == ("desktop", "provided", 100)
    assert pd.isna(first["accessibility"]) and pd.notna(first["performance"])
    meta = psdata.read_parquet_metadata(tmp_path / "scores.parquet")
    assert meta["settings"]["throttling"] == "provided"
    assert (tmp_path / "store" / "results.sqlite3").is_file()  # --cache-dir was used
    assert not (tmp_path / "default-cache").exists()


def test_analyze_a_csv_column_both_strategies_to_csv_exits_0(
    site: ServedSite, tmp_path: Path
) -> None:
    pages = pd.DataFrame({"name": ["a", "b"], "page": [site.url("/simple.html?a"),
                                                        site.url("/simple.html?b")]})  # fmt: skip
    pages.to_csv(tmp_path / "sites.csv", index=False)
    done = psdata_cli(
        "analyze", "sites.csv", "--column", "page", "--strategy", "both", "-o", "out.csv",
        "--categories", "performance", *QUICK, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    back = pd.read_csv(tmp_path / "out.csv")
    assert len(back) == 4 and back["error"].isna().all()
    assert sorted(back["strategy"]) == ["desktop", "desktop", "mobile", "mobile"]


def test_cache_options_reuse_skip_and_retry(site: ServedSite, tmp_path: Path) -> None:
    write_urls(tmp_path / "urls.txt", [site.url("/simple.html?c"), site.url("/__status/404?c")])
    run = ["analyze", "urls.txt", "--categories", "performance", "--cache-dir", "store", *QUICK]

    def from_cache(*extra: str) -> list[bool]:
        done = psdata_cli(*run, *extra, "-o", "out.parquet", cwd=tmp_path)
        assert done.returncode == 1, done.stderr  # the 404 row
        return [bool(v) for v in pd.read_parquet(tmp_path / "out.parquet")["from_cache"]]

    assert from_cache() == [False, False]
    assert from_cache() == [True, True]
    assert from_cache("--force-retry") == [True, False]
    assert from_cache("--max-age", "0") == [False, False]  # max_age applies to both
    assert from_cache("--skip-cache") == [False, False]


def test_errors_raise_exits_1_with_the_first_failure_on_stderr(
    site: ServedSite, tmp_path: Path
) -> None:
    write_urls(tmp_path / "urls.txt", ["file:///etc/passwd"])
    done = psdata_cli("analyze", "urls.txt", "--errors", "raise", *QUICK, cwd=tmp_path)
    assert done.returncode == 1
    assert "Only http and https" in done.stderr and "Traceback" not in done.stderr


# ------------------------------------------------------------------------------ cache


def test_cache_info_and_clear_honour_cache_dir(site: ServedSite, tmp_path: Path) -> None:
    urls = [site.url("/simple.html?i"), site.url("/simple.html?j"), site.url("/__status/404?k")]
    write_urls(tmp_path / "urls.txt", urls)
    analyzed = psdata_cli(
        "analyze", "urls.txt", "--categories", "seo", "--cache-dir", "store", *QUICK,
        cwd=tmp_path,
    )  # fmt: skip
    assert analyzed.returncode == 1, analyzed.stderr

    def cache(*args: str) -> str:
        done = psdata_cli("cache", *args, "--cache-dir", "store", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    info = cache("info")
    assert "rows: 3" in info and str(tmp_path / "store") in info
    assert "Removed 0 " in cache("clear", "--older-than", "1d")
    assert "Removed 1 " in cache("clear", "--failures-only")
    assert "Removed 1 " in cache("clear", "--url", urls[0])
    assert "rows: 1" in cache("info")
    assert "Removed 1 " in cache("clear")
    assert "rows: 0" in cache("info")
    assert not (tmp_path / "default-cache").exists()


# ------------------------------------------------------------------------------ demo


@pytest.mark.parametrize("output", ["demo.csv", "demo.parquet"])
def test_demo_writes_and_reads_back_csv_or_parquet(output: str, tmp_path: Path) -> None:
    done = psdata_cli(
        "demo", "-o", output, "--categories", "performance", "--quiet-window-ms", "200",
        "--no-progress", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Wrote {output}" in done.stdout and "Traceback" not in done.stderr
    back = (pd.read_csv if output.endswith(".csv") else pd.read_parquet)(tmp_path / output)
    assert len(back) == 8
    assert back["error"].notna().sum() == 1  # the demo's deliberate 404


# ------------------------------------------------------------------------------ PSI key


@pytest.mark.parametrize("source", ["file", "environment"])
def test_the_psi_key_comes_from_a_file_or_the_environment_and_is_never_shown(
    google: FakeGoogle,  # noqa: F811
    source: str,
    tmp_path: Path,
) -> None:
    lhr8: dict[str, Any] = load("psi-lighthouse-result-8.0.0.json")
    google.script("/psi", Answer(200, {"id": PAGE, "lighthouseResult": lhr8}))
    google.script("/crux", Answer(404, {}), Answer(404, {}))
    write_urls(tmp_path / "urls.txt", [PAGE])
    (tmp_path / "key").write_text(KEY + "\n")
    by_file = ["--psi-key-file", "key"] if source == "file" else []
    env = {"PSDATA_PSI_KEY": KEY} if source == "environment" else {"PSDATA_PSI_KEY": ""}
    done = psdata_cli(
        "analyze", "urls.txt", "--engine", "psi", *by_file, "--no-progress",
        "--psi-endpoint", f"{google.url}/psi", "--crux-endpoint", f"{google.url}/crux",
        "-o", "psi.parquet", cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert google.requests("/psi")[0].query["key"] == [KEY]
    assert KEY not in done.stdout + done.stderr
    assert KEY.encode() not in (tmp_path / "psi.parquet").read_bytes()
    frame = pd.read_parquet(tmp_path / "psi.parquet")
    assert frame.loc[0, "engine"] == "psi" and frame.loc[0, "performance"] == 71
