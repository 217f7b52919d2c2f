"""The PSI key never reaches the result store, a Parquet file or ``DataFrame.attrs``; and
Parquet round-trips of the frames that differ most: two strategies, all failed, PSI."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import psdata
from psdata.demo.server import ServedSite
from test_psi import KEY, PAGE, Answer, FakeGoogle, google, load  # noqa: F401


def psi_frame(google: FakeGoogle, cache_dir: Path, **options: Any) -> pd.DataFrame:  # noqa: F811
    """Two URLs through the PSI engine of the local fake API (one scored, one quota error)."""
    lhr8 = load("psi-lighthouse-result-8.0.0.json")
    experience = load("loading-experience-origin.json")
    quota = {"error": {"code": 403, "message": f"Quota exceeded for key {KEY}",
                       "errors": [{"reason": "rateLimitExceeded"}]}}  # fmt: skip
    google.script(
        "/psi",
        Answer(200, {"id": PAGE, "lighthouseResult": lhr8, "loadingExperience": experience}),
        Answer(403, quota),
        Answer(403, quota),
    )
    return psdata.analyze(
        [PAGE, "https://example.org/"],
        engine="psi",
        psi_endpoint=f"{google.url}/psi",
        crux_endpoint=f"{google.url}/crux",
        concurrency=1,
        progress=False,
        cache_dir=cache_dir,
        **options,
    )


def store_text(cache_dir: Path) -> str:
    """Every value of every table of the SQLite store, and the raw bytes of its files."""
    parts = []
    with sqlite3.connect(cache_dir / "results.sqlite3") as db:
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        tables = [row[0] for row in db.execute(query)]
        for table in tables:
            if table.startswith("sqlite_"):
                continue
            parts += [repr(row) for row in db.execute(f'SELECT * FROM "{table}"')]
    for path in cache_dir.iterdir():
        parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


@pytest.mark.parametrize("source", ["argument", "environment"])
def test_the_psi_key_reaches_neither_store_parquet_nor_attrs(
    google: FakeGoogle,  # noqa: F811
    source: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if source == "environment":
        monkeypatch.setenv("PSDATA_PSI_KEY", KEY)
        frame = psi_frame(google, tmp_path / "cache")
    else:
        monkeypatch.delenv("PSDATA_PSI_KEY", raising=False)
        frame = psi_frame(google, tmp_path / "cache", psi_key=KEY)
    assert google.requests("/psi")[0].query["key"] == [KEY]  # it was used
    assert frame.loc[0, "performance"] == 71 and frame.loc[1, "error_type"] == "quota"
    assert KEY not in store_text(tmp_path / "cache")
    assert KEY not in repr(frame.attrs) and KEY not in frame.to_csv()
    path = psdata.to_parquet(frame, tmp_path / "psi.parquet")
    assert KEY.encode() not in path.read_bytes()
    assert KEY not in repr(psdata.read_parquet_metadata(path))
    assert KEY not in repr(pd.read_parquet(path).attrs)


def assert_round_trip(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    psdata.to_parquet(frame, path)
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, frame)
    assert back.dtypes.to_dict() == psdata.SCHEMA
    return back


def test_parquet_round_trip_of_a_psi_frame(google: FakeGoogle, tmp_path: Path) -> None:  # noqa: F811
    frame = psi_frame(google, tmp_path / "cache", psi_key=KEY)
    back = assert_round_trip(frame, tmp_path / "psi.parquet")
    assert back.loc[0, "field_source"] == "crux-origin" and back.loc[0, "engine"] == "psi"
    assert psdata.read_parquet_metadata(tmp_path / "psi.parquet")["engine"] == "psi"


def test_parquet_round_trip_of_an_all_failed_frame(tmp_path: Path) -> None:
    values = pd.Series(["not a url", None, "file:///etc/passwd", "   "], index=list("abcd"))
    frame = psdata.analyze(values, progress=False)
    assert frame["error"].notna().all() and frame["performance"].isna().all()
    back = assert_round_trip(frame, tmp_path / "failed.parquet")
    assert back["error_type"].astype(object).eq("invalid_url").all()
    assert back.index.tolist() == list("abcd")


def test_parquet_round_trip_of_a_two_strategy_frame(site: ServedSite, tmp_path: Path) -> None:
    urls = pd.Series([site.url("/simple.html?two"), "bad url"], index=["x", "y"])
    frame = psdata.analyze(
        urls, strategy=["mobile", "desktop"], categories=["performance"],
        quiet_window_ms=200, progress=False, timeout=30.0,
    )  # fmt: skip
    assert isinstance(frame.index, pd.MultiIndex) and len(frame) == 4
    back = assert_round_trip(frame, tmp_path / "two.parquet")
    assert back.index.names == frame.index.names
    assert back.loc[("x", "desktop"), "strategy"] == "desktop"
    assert pd.notna(back.loc[("x", "mobile"), "performance"])
