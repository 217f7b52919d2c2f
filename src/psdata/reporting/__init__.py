"""Reports people can open: Lighthouse's own report for a row, one HTML page for a batch.

- :func:`to_lhr`: a row as a Lighthouse 12 report object (LHR), shown inline by a notebook.
- :func:`show`: a row's Lighthouse report in a notebook cell.
- :func:`report`: one self-contained HTML file: a summary of the batch and every row's
  Lighthouse report, drawn by Lighthouse's own renderer (vendored in ``vendor/``).

These take result frames and know nothing of engines.

>>> psdata.report(scores, "report.html")  # doctest: +SKIP
"""

from .html import report
from .lhr import LighthouseResult, ReportView, show, to_lhr

__all__ = ["LighthouseResult", "ReportView", "report", "show", "to_lhr"]
