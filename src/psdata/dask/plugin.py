""":class:`PsdataWorkerPlugin`: psdata's settings on every dask worker (needs distributed).

Imported only on first use of ``psdata.PsdataWorkerPlugin``, so ``import psdata`` never
imports distributed.
"""

from __future__ import annotations

import os

from distributed import Worker, WorkerPlugin

from .._loop import shutdown
from ..engines.lab.pool import check_max_contexts
from ..engines.lab.runtime import set_max_concurrent_contexts


class PsdataWorkerPlugin(WorkerPlugin):
    """Set psdata's settings when a dask worker starts; close its browser when it stops.

    Each setting given is exported to the worker's environment (``PSDATA_MAX_CONTEXTS``,
    ``PSDATA_CHROMIUM``, ``PSDATA_CACHE_DIR``) and applied to its psdata runtime; settings
    left out keep the worker's own environment. ``teardown`` calls :func:`psdata.shutdown`,
    so closing the worker leaves no Chromium process.

    Parameters
    ----------
    max_contexts : int, optional
        Browser contexts measuring at once on each worker (1–5).
    chromium_path : path, optional
        The Chromium executable on the workers.
    cache_dir : path, optional
        Where each worker keeps its result store.

    Examples
    --------
    >>> import psdata
    >>> plugin = psdata.PsdataWorkerPlugin(max_contexts=2, cache_dir="/tmp/psdata")
    >>> plugin.environ()
    {'PSDATA_MAX_CONTEXTS': '2', 'PSDATA_CACHE_DIR': '/tmp/psdata'}
    >>> client.register_plugin(plugin)  # doctest: +SKIP
    """

    name = "psdata"

    def __init__(
        self,
        *,
        max_contexts: int | None = None,
        chromium_path: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.max_contexts = None if max_contexts is None else check_max_contexts(max_contexts)
        self.chromium_path = None if chromium_path is None else os.fspath(chromium_path)
        self.cache_dir = None if cache_dir is None else os.fspath(cache_dir)

    def environ(self) -> dict[str, str]:
        """The environment variables these settings stand for."""
        env = {}
        if self.max_contexts is not None:
            env["PSDATA_MAX_CONTEXTS"] = str(self.max_contexts)
        if self.chromium_path is not None:
            env["PSDATA_CHROMIUM"] = self.chromium_path
        if self.cache_dir is not None:
            env["PSDATA_CACHE_DIR"] = self.cache_dir
        return env

    def setup(self, worker: Worker) -> None:
        """Export the settings and apply the context limit to the running runtime."""
        os.environ.update(self.environ())
        if self.max_contexts is not None:
            set_max_concurrent_contexts(self.max_contexts)

    def teardown(self, worker: Worker) -> None:
        """Close the worker's browser and psdata's loop thread."""
        shutdown()
