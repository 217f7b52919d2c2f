"""Options declared once (signatures, docs, CLI, checks, cache key follow) and typed rows
(one writer, one rule: a row with an error carries no measurement)."""

from __future__ import annotations

import inspect
import typing
from datetime import datetime
from typing import Any

import pandas as pd
import pytest

import psdata
from psdata import cli
from psdata._batch import error_record
from psdata._errors import ERROR_CLASSES, ERROR_TYPES
from psdata._frame import (
    COLUMNS,
    MEASURED,
    SCHEMA,
    Row,
    build_frame,
    join_warnings,
    make_row,
    score_percent,
)
from psdata._lighthouse import CATEGORIES
from psdata._options import DECLARED, OPTIONS, check, complete
from psdata.engines.psi import record_from_psi


def test_every_option_is_a_keyword_with_its_declared_default_and_docs() -> None:
    parameters = inspect.signature(psdata.analyze).parameters
    for name, option in DECLARED.items():
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY, name
        assert parameters[name].default == option.default, name
        assert f"\n    {name} : {option.kind}\n" in (psdata.analyze.__doc__ or ""), name


def test_every_option_is_a_flag_of_psdata_analyze_with_its_default() -> None:
    args = cli.build_parser().parse_args(["analyze", "urls.txt"])
    options = cli.analyze_options(args)
    assert list(options) == list(OPTIONS)
    expected = {name: option.default for name, option in DECLARED.items()}
    assert options == expected | {"psi_key": options["psi_key"]}  # read from the environment


def test_flags_give_the_options_their_values(tmp_path: Any) -> None:
    key = tmp_path / "key"
    key.write_text("secret\n")
    argv = ["analyze", "urls.txt", "--strategy", "both", "--no-progress", "--skip-cache",
            "--timeout", "30", "--max-age", "2h", "--categories", "seo,best-practices",
            "--cache-dir", str(tmp_path), "--psi-key-file", str(key)]  # fmt: skip
    options = cli.analyze_options(cli.build_parser().parse_args(argv))
    assert options["strategy"] == ["mobile", "desktop"]
    assert (options["progress"], options["skip_cache"], options["force_retry"]) == (
        False,
        True,
        False,
    )
    assert (options["timeout"], options["max_age"]) == (30.0, 7200.0)
    assert options["categories"] == ["seo", "best_practices"]
    assert options["cache_dir"] == tmp_path.resolve() and options["psi_key"] == "secret"


def test_the_demo_offers_only_the_lab_engines_options() -> None:
    options = cli.analyze_options(cli.build_parser().parse_args(["demo"]))
    assert options["engine"] == "lab" and options["psi_endpoint"] is None


def test_an_unknown_keyword_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match=r"analyze\(\) got an unexpected keyword argument 'timout'"):
        psdata.analyze(["https://example.com"], timout=5)  # type: ignore[call-arg]


def test_checks_come_from_the_declaration() -> None:
    checked = check(complete({"strategy": "desktop", "categories": ["seo"]}, "analyze"))
    assert checked["strategy"] == ("desktop",) and checked["categories"] == ("seo",)
    for bad, message in [
        ({"timeout": 0}, "timeout must be a positive number"),
        ({"errors": "ignore"}, "errors must be 'coerce' or 'raise'"),
        ({"engine": "lighthouse"}, "engine must be one of lab, psi, crux"),
        ({"quiet_window_ms": -1}, "quiet_window_ms must be between 0 and 60000"),
        ({"strategy": ["mobile", "mobile"]}, "strategy must be"),
    ]:
        with pytest.raises(psdata.ConfigurationError, match=message):
            check(complete(bad, "analyze"))


def settings_of(tmp_path: Any, **options: Any) -> dict[str, Any]:
    """The settings (the cache key's, besides URL, strategy and engine) of an analyze call."""
    frame = psdata.analyze([], cache_dir=tmp_path, progress=False, **options)
    return dict(frame.attrs["psdata"]["settings"])


def test_a_quiet_window_shares_its_cache_key_whether_int_float_or_from_the_cli(
    tmp_path: Any,
) -> None:
    argv = ["analyze", "urls.txt", "--quiet-window-ms", "200", "--cache-dir", str(tmp_path)]
    from_cli = cli.analyze_options(cli.build_parser().parse_args(argv))
    assert from_cli["quiet_window_ms"] == 200.0 and isinstance(from_cli["quiet_window_ms"], float)
    as_int = settings_of(tmp_path, quiet_window_ms=200)
    assert settings_of(tmp_path, quiet_window_ms=200.0) == as_int
    assert psdata.analyze([], **{**from_cli, "progress": False}).attrs["psdata"]["settings"] == (
        as_int
    )
    assert settings_of(tmp_path, quiet_window_ms=200.5) != as_int
    # The defaults' keys are unchanged (Lighthouse's waits as whole ms), and a quiet window
    # equal to them, given either way, shares their key.
    default = settings_of(tmp_path)
    waits = {"pause_after_fcp_ms", "pause_after_load_ms", "network_quiet_ms", "cpu_quiet_ms"}
    assert {name: default["waits"][name] for name in waits} == dict.fromkeys(waits, 1000)
    assert all(type(default["waits"][name]) is int for name in waits)
    assert settings_of(tmp_path, quiet_window_ms=1000.0) == default
    with pytest.raises(psdata.ConfigurationError, match="quiet_window_ms"):
        check(complete({"quiet_window_ms": True}, "analyze"))


def test_options_that_change_results_by_value_are_in_the_cache_key(tmp_path: Any) -> None:
    keyed = [name for name, option in DECLARED.items() if option.cache_key == "value"]
    given = {"categories": ["seo"], "login_url": "/login", "blocked_url_patterns": "*ads*"}
    frame = psdata.analyze([], **given, cache_dir=tmp_path, progress=False)
    settings = frame.attrs["psdata"]["settings"]
    assert keyed and all(name in settings for name in keyed)
    # One not given is left out: a new option leaves the stored results' keys as they were.
    unset = psdata.analyze([], cache_dir=tmp_path, progress=False).attrs["psdata"]["settings"]
    assert "login_url" not in unset and "blocked_url_patterns" not in unset
    assert list(settings["categories"]) == ["seo"]
    for name, option in DECLARED.items():
        if option.cache_key is None:
            assert name not in settings, name


# --------------------------------------------------------------------------- rows

#: The Python type a record holds for each pandas dtype of the schema.
PYTHON_TYPES = {"Int64": int, "float64": float, "string": str, "category": str, "boolean": bool}


def test_the_typed_row_is_the_schema() -> None:
    hints = typing.get_type_hints(Row)
    assert list(hints) == list(COLUMNS)
    for name, dtype in SCHEMA.items():
        held = {t for t in typing.get_args(hints[name]) if t is not type(None)} or {hints[name]}
        want = datetime if isinstance(dtype, pd.DatetimeTZDtype) else PYTHON_TYPES[str(dtype)]
        if isinstance(dtype, pd.CategoricalDtype):
            want = str
        assert held == {want}, (name, held, dtype)


def test_every_engine_writes_rows_with_one_rule_for_scores_and_warnings() -> None:
    row = make_row("https://a.test/", "mobile", {"engine": "lab"}, scores={"seo": 0.125},
                   warnings=["first", None, "second"])  # fmt: skip
    assert row["seo"] == 13 and row["warnings"] == "first\nsecond"  # halves up, one a line
    assert set(row) == set(COLUMNS) and row["performance"] is None
    response = {
        "lighthouseResult": {
            "categories": {"seo": {"score": 0.125}},
            "runWarnings": ["first", "second"],
        }
    }
    psi, _ = record_from_psi(response, "mobile")
    assert (psi["seo"], psi["warnings"]) == (row["seo"], row["warnings"])
    assert score_percent(0.5649) == 56 and join_warnings([]) is None
    with pytest.raises(ValueError, match="not result columns: lcp"):
        make_row("https://a.test/", "mobile", {"lcp": 1.0})


@pytest.mark.parametrize("error_type", ERROR_TYPES)
def test_a_row_with_an_error_has_no_score_and_no_lab_metric(error_type: str) -> None:
    """Whatever the engine hands the row writer, for every kind of error; what was observed
    goes to the record's details."""
    seen: dict[str, Any] = {name: 1.0 for name in MEASURED}
    kept = {"status": 404, "final_url": "https://a.test/gone", "engine": "lab",
            "throttling": "simulate", "field_lcp_ms": 2100.0, "attempts": 1}  # fmt: skip
    failure = {"error": "it failed", "error_type": error_type}
    scores = dict.fromkeys(CATEGORIES, 0.9)
    row = make_row("https://a.test/gone", "mobile", {**seen, **kept, **failure}, scores=scores)
    assert all(row[name] is None for name in MEASURED), row
    assert {name: row[name] for name in kept} == kept

    error = ERROR_CLASSES[error_type]("it failed")
    error.partial.update(seen, **kept)
    record = error_record("https://a.test/gone", "mobile", error)
    assert all(record[name] is None for name in MEASURED)
    assert record["details"] == {"observed": seen} and record["status"] == 404

    stale = {**seen, **kept, **failure}  # a record stored before the rule, say
    frame = build_frame([stale, {**seen, **kept}])
    assert frame.loc[0, list(MEASURED)].isna().all()
    assert frame.loc[1, list(MEASURED)].notna().all()  # without an error, all kept


def test_a_psi_runtime_error_keeps_its_metrics_in_the_details_only() -> None:
    lhr = {
        "requestedUrl": "https://a.test/",
        "runtimeError": {"code": "NO_FCP", "message": "The page did not paint any content."},
        "categories": {"performance": {"score": None}},
        "audits": {"largest-contentful-paint": {"numericValue": 730.0}},
    }
    record, details = record_from_psi({"lighthouseResult": lhr}, "mobile")
    assert record["error_type"] == "service" and record["lcp_ms"] is None
    assert details["observed"] == {"lcp_ms": 730.0}
    lhr.pop("runtimeError")
    record, details = record_from_psi({"lighthouseResult": lhr}, "mobile")
    assert record["lcp_ms"] == 730.0 and "observed" not in details
