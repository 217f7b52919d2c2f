"""The quickstart notebook runs top to bottom in a real Jupyter kernel."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.ipynb"


def test_quickstart_notebook_executes_and_draws_its_plots(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # After the notebook's own cells: what its vitals plot counted, and the 404 page's row.
    notebook.cells.append(nbformat.v4.new_code_cell(VITALS_TITLES))
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on any failing cell

    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert len(images) >= 8, "opportunities, scores, vitals, throughput, contexts, pool, runs"
    tables = [out["data"]["text/html"] for out in outputs if "text/html" in out.get("data", {})]
    assert any("pages_failing" in table for table in tables), "the opportunities table"
    assert any("performance" in table and "error_type" in table for table in tables)
    assert any("performance_iqr" in table for table in tables), "the runs=5 rows"
    change = [table for table in tables if "url_after" in table]
    assert change and change[0].count(">worse<") == 3, "compare finds the three slowed pages"
    assert (tmp_path / "quickstart-scores.parquet").is_file()
    # tqdm.auto drew its Jupyter widget (the notebook extra's ipywidgets), not a text bar.
    widgets = [out for out in outputs if WIDGET in out.get("data", {})]
    assert widgets, "analyze() showed no progress widget"
    streams = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert "IProgress not found" not in streams
    # The vitals plot counts the 404 page as an error, never as a value (8 pages, 1 a 404).
    titles = [line for line in streams.splitlines() if line.startswith("vitals: ")]
    assert len(titles) == 4, streams
    for title in titles:
        counted = re.search(r"· (\d+) values?, 1 error(, \d+ missing)?$", title)
        assert counted and int(counted[1]) <= 7, title
    assert "gone: http 404 no measurement" in streams, streams


WIDGET = "application/vnd.jupyter.widget-view+json"
VITALS_TITLES = """\
from psdata._frame import MEASURED
for axis in plotting.plot_vitals(scores):
    print("vitals:", axis.get_title(loc="left"))
gone = scores[scores.error.notna()]
measured = "MEASURED" if gone[list(MEASURED)].notna().any(axis=None) else "no measurement"
print("gone:", *gone.error_type, *gone.status.tolist(), measured)
"""


@pytest.fixture(autouse=True)
def _agg_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel has no display: draw inline PNGs through the non-interactive backend."""
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
