"""The context pool on a real Chromium: limits, reuse, locks, clean contexts, recovery.

Recovery is checked by measuring a page afterwards, in both traced throttling methods:
simulate (the default: the trace's epochs and Lantern start again in the new browser)
and devtools.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
from playwright.async_api import Error as PlaywrightError

import psdata
from conftest import unexpected_warnings
from psdata._errors import (
    BrowserCrashError,
    BrowserNotFoundError,
    ConfigurationError,
    PoolClosedError,
)
from psdata.demo.server import ServedSite
from psdata.engines.lab import priority
from psdata.engines.lab.browser import browser_processes
from psdata.engines.lab.collect import WaitSettings
from psdata.engines.lab.emulation import profile_for
from psdata.engines.lab.engine import LabSettings, measure_page
from psdata.engines.lab.pool import ContextPool

METHODS = ("simulate", "devtools")
QUICK_WAITS = WaitSettings(
    pause_after_fcp_ms=200,
    pause_after_load_ms=200,
    network_quiet_ms=200,
    cpu_quiet_ms=200,
    max_wait_for_load_ms=15_000,
)


def in_pool(test: Callable[[ContextPool], Awaitable[Any]], **options: Any) -> Any:
    """Run *test* with a fresh pool, always shut down afterwards."""

    async def main() -> Any:
        async with ContextPool(**options) as pool:
            return await test(pool)

    return asyncio.run(main())


def own_browsers(earlier: set[int]) -> list[psutil.Process]:
    """The browser processes the test's own pool started."""
    return [p for p in browser_processes() if p.pid not in earlier]


async def kill_browser_then_measure(
    pool: ContextPool, kill: Callable[[], list[int]], url: str, method: str
) -> None:
    """Kill the pool's Chromium, then check the next measurement in *method* is whole:
    scored, with its trace (and, in simulate, Lantern's metrics) and no warning."""
    assert kill()
    await asyncio.sleep(0.5)
    settings = LabSettings(throttling=method, categories=("performance",), waits=QUICK_WAITS)
    record = await measure_page(pool, url, "mobile", settings)
    assert not unexpected_warnings(record["warnings"]), record["warnings"]
    assert record["performance"] is not None and record["main_thread_ms"] is not None


def test_at_most_max_contexts_exist_and_the_next_caller_waits() -> None:
    async def test(pool: ContextPool) -> None:
        slots = [await pool.get_instance({}) for _ in range(2)]
        assert pool.stats()["busy_contexts"] == 2
        waiter = asyncio.create_task(pool.get_instance({}))
        await asyncio.sleep(0.3)
        assert not waiter.done()
        assert pool.stats()["total_contexts"] == 2
        await pool.return_instance(slots[0])
        third = await asyncio.wait_for(waiter, 10)
        assert third.id == slots[0].id
        for slot in (slots[1], third):
            await pool.return_instance(slot)
        assert pool._current is not None
        assert pool._current.browser.contexts == []  # contexts never outlive a measurement

    in_pool(test, max_contexts=2)


def test_idle_slots_are_reused_and_count_pages() -> None:
    async def test(pool: ContextPool) -> None:
        for _ in range(3):
            slot = await pool.get_instance({})
            assert slot.id == 0
            await pool.return_instance(slot)
        stats = pool.stats()
        assert stats["total_contexts"] == 1
        assert stats["contexts"][0]["pages_served"] == 3
        assert stats["contexts"][0]["state"] == "idle"
        assert stats["browser_launches"] == 1

    in_pool(test)


def test_every_measurement_gets_a_fresh_context(site: ServedSite) -> None:
    async def test(pool: ContextPool) -> list[str]:
        seen = []
        for _ in range(2):
            slot = await pool.get_instance({})
            page = await slot.new_page()
            await page.goto(site.url("/storage.html"))
            seen.append(await page.inner_text("#seen"))
            await pool.return_instance(slot)
        return seen

    first, second = in_pool(test, max_contexts=1)
    assert first == second == "cookie=;local="


def test_page_creation_holds_the_slot_lock() -> None:
    async def test(pool: ContextPool) -> None:
        slot = await pool.get_instance({})
        assert slot.context is not None
        original = slot.context.new_page
        held: list[bool] = []

        async def checked_new_page() -> Any:
            held.append(slot.lock.locked())
            return await original()

        slot.context.new_page = checked_new_page  # type: ignore[method-assign]
        await asyncio.gather(slot.new_page(), slot.new_page())
        assert held == [True, True]
        await pool.return_instance(slot)

    in_pool(test)


def test_a_context_opening_cancelled_midway_is_closed_once_created() -> None:
    # Ctrl-C while the browser creates a context: the browser finishes creating it anyway,
    # and the pool must close it rather than leave it open.
    async def test(pool: ContextPool) -> None:
        await pool.return_instance(await pool.get_instance({}))  # the browser is up
        assert pool._current is not None
        browser = pool._current.browser
        opening = asyncio.ensure_future(pool.get_instance({}))
        # Cancel when the browser reports the new context, before its reply reaches us.
        browser.once("context", lambda _: opening.cancel())
        with pytest.raises(asyncio.CancelledError):
            await opening
        for _ in range(200):
            if not browser.contexts:
                break
            await asyncio.sleep(0.05)
        assert browser.contexts == []
        assert pool.stats()["busy_contexts"] == 0

    in_pool(test)


def test_force_refresh_replaces_the_slots_context() -> None:
    async def test(pool: ContextPool) -> None:
        slot = await pool.get_instance({})
        old = slot.context
        assert old is not None
        await pool.force_refresh_instance(slot, {})
        assert slot.context is not None and slot.context is not old
        with pytest.raises(Exception, match="closed"):
            await old.new_page()
        await pool.return_instance(slot)

    in_pool(test)


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, True, "3"])
def test_context_limit_must_be_1_to_5(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="1 to 5"):
        ContextPool(max_contexts=bad)
    assert issubclass(ConfigurationError, ValueError)


def test_lowering_the_limit_drops_idle_slots() -> None:
    async def test(pool: ContextPool) -> None:
        slots = [await pool.get_instance({}) for _ in range(3)]
        for slot in slots:
            await pool.return_instance(slot)
        await pool.set_max_contexts(1)
        assert pool.stats()["total_contexts"] == 1
        assert pool.max_contexts == 1

    in_pool(test)


@pytest.mark.parametrize("method", METHODS)
def test_a_killed_browser_is_relaunched(
    kill_own_browsers: Callable[[], list[int]], site: ServedSite, method: str
) -> None:
    async def test(pool: ContextPool) -> None:
        slot = await pool.get_instance({})
        await pool.return_instance(slot)
        await kill_browser_then_measure(pool, kill_own_browsers, site.url("simple.html"), method)
        stats = pool.stats()
        assert stats["browser_launches"] == 2
        assert stats["browser_crashes"] == 1
        assert len(pool._handles) == 1  # the dead browser was let go at relaunch
        assert await pool.cleanup_dead_instances() == 0

    in_pool(test)


def test_browser_is_retired_after_n_pages() -> None:
    async def test(pool: ContextPool) -> None:
        for _ in range(5):
            slot = await pool.get_instance({})
            await pool.return_instance(slot)
        assert pool.stats()["browser_launches"] == 3
        assert len(pool._handles) == 1  # retired browsers are closed, not kept

    in_pool(test, browser_recycle_after=2)


def test_shutdown_closes_everything_and_refuses_new_work(earlier_browsers: set[int]) -> None:
    async def test() -> None:
        pool = ContextPool()
        slot = await pool.get_instance({})
        await pool.return_instance(slot)
        processes = own_browsers(earlier_browsers)
        assert processes
        await pool.shutdown()
        _, alive = psutil.wait_procs(processes, timeout=10)
        assert not alive
        assert pool.stats()["state"] == "closed"
        with pytest.raises(PoolClosedError):
            await pool.get_instance({})

    asyncio.run(test())


def test_a_spare_serves_the_next_measurement_with_a_fresh_context(site: ServedSite) -> None:
    async def test(pool: ContextPool) -> list[str]:
        seen = []
        for _ in range(3):
            slot = await pool.get_instance({})
            page = await slot.new_page()
            pool.prepare_spare({})  # as the engine does when a page starts its quiet wait
            await page.goto(site.url("/storage.html"))
            seen.append(await page.inner_text("#seen"))
            await pool.return_instance(slot)
        stats = pool.stats()
        assert (stats["spares_used"], stats["spares_wasted"], stats["spare_contexts"]) == (2, 0, 1)
        await pool.discard_spares()
        assert pool.stats()["spare_contexts"] == 0
        assert pool._current is not None and pool._current.browser.contexts == []
        return seen

    assert in_pool(test, max_contexts=1) == ["cookie=;local="] * 3


def test_a_spare_opens_a_blank_page_ahead() -> None:
    async def test(pool: ContextPool) -> None:
        slot = await pool.get_instance({})
        pool.prepare_spare({})
        await pool.return_instance(slot)
        await asyncio.sleep(1.0)  # the spare opens in the background meanwhile
        slot = await pool.get_instance({})
        assert slot.context is not None and len(slot.context.pages) == 1
        page = await slot.new_page()
        assert page.url == "about:blank" and page is slot.context.pages[0]
        second = await slot.new_page()  # only the first page comes ready-made
        assert second is not page
        await pool.return_instance(slot)

    in_pool(test)


def test_a_spare_with_other_options_is_not_used() -> None:
    async def test(pool: ContextPool) -> None:
        slot = await pool.get_instance({})
        pool.prepare_spare({"viewport": {"width": 500, "height": 400}})
        await pool.return_instance(slot)
        slot = await pool.get_instance({})
        page = await slot.new_page()
        assert page.viewport_size != {"width": 500, "height": 400}
        await pool.return_instance(slot)
        assert pool.stats()["spares_used"] == 0
        await pool.discard_spares()
        assert pool.stats()["spares_wasted"] == 1
        assert pool._current is not None and pool._current.browser.contexts == []

    in_pool(test)


def test_spares_are_bounded_by_the_context_limit() -> None:
    async def test(pool: ContextPool) -> None:
        slot = await pool.get_instance({})
        for _ in range(5):
            pool.prepare_spare({})
        assert pool.stats()["spare_contexts"] == 2
        await pool.return_instance(slot)
        await asyncio.sleep(0.5)
        await pool.discard_spares()
        assert pool.stats()["spares_wasted"] == 5
        assert pool._current is not None and pool._current.browser.contexts == []

    in_pool(test, max_contexts=2)


def test_a_spare_of_a_retired_browser_is_closed_with_it() -> None:
    async def test(pool: ContextPool) -> None:
        slot = await pool.get_instance({})
        pool.prepare_spare({})
        await pool.return_instance(slot)  # the browser retires after this page
        slot = await pool.get_instance({})
        assert slot._browser is pool._current
        await pool.return_instance(slot)
        stats = pool.stats()
        assert (stats["spares_used"], stats["spares_wasted"]) == (0, 1)
        assert stats["browser_launches"] == 2
        # Both browsers served their one page and closed (the first once its spare was let go).
        assert pool._handles == []

    in_pool(test, browser_recycle_after=1)


@pytest.mark.parametrize("method", METHODS)
def test_a_spare_of_a_killed_browser_is_not_used(
    kill_own_browsers: Callable[[], list[int]], site: ServedSite, method: str
) -> None:
    async def test(pool: ContextPool) -> None:
        slot = await pool.get_instance({})
        pool.prepare_spare(profile_for("mobile", method).context_options())  # the next page's
        await pool.return_instance(slot)
        await asyncio.sleep(1.0)
        await kill_browser_then_measure(pool, kill_own_browsers, site.url("simple.html"), method)
        stats = pool.stats()
        assert (stats["spares_used"], stats["spares_wasted"]) == (0, 1)
        assert stats["browser_launches"] == 2

    in_pool(test)


def test_shutdown_with_a_spare_opening_leaves_no_process(earlier_browsers: set[int]) -> None:
    async def test() -> None:
        pool = ContextPool()
        slot = await pool.get_instance({})
        pool.prepare_spare({})
        processes = own_browsers(earlier_browsers)
        await pool.shutdown()
        _, alive = psutil.wait_procs(processes, timeout=10)
        assert not alive
        assert pool.stats()["spare_contexts"] == 0
        assert slot.state == "busy"  # shut down mid-measurement: nothing else to check

    asyncio.run(test())


def test_stats_have_the_documented_shape() -> None:
    async def test(pool: ContextPool) -> dict[str, Any]:
        slot = await pool.get_instance({})
        busy = pool.stats()
        await pool.return_instance(slot)
        return busy

    stats = in_pool(test, max_contexts=4)
    assert stats["mode"] == "multi-context"
    assert stats["max_concurrent_contexts"] == 4
    assert (stats["total_contexts"], stats["busy_contexts"], stats["idle_contexts"]) == (1, 1, 0)
    assert set(stats["contexts"][0]) >= {"id", "state", "pages_served", "created_at", "last_used"}


def test_a_page_opens_no_browser_ui_of_its_own() -> None:
    """Chromium's WebUI omnibox popups (a renderer busy for seconds per window) stay off."""

    async def test(pool: ContextPool) -> list[str]:
        slot = await pool.get_instance({})
        await slot.new_page()
        session = await slot.browser_handle.browser.new_browser_cdp_session()
        targets = await session.send("Target.getTargets")
        await pool.return_instance(slot)
        return [t["url"] for t in targets["targetInfos"] if t["type"] != "page"]

    assert in_pool(test) == []


def broken_chromium(directory: Path) -> Path:
    """A "Chromium" that exits at once with an error of its own, as a broken install does."""
    path = directory / "chromium"
    path.write_text(
        "#!/bin/sh\necho 'chromium: error while loading shared libraries: libnss3.so' >&2\n"
        "exit 127\n",
        encoding="utf-8",
    )
    path.chmod(0o755)
    return path


def test_a_chromium_that_does_not_start_fails_the_start_then_each_relaunch(
    tmp_path: Path, kill_own_browsers: Callable[[], list[int]]
) -> None:
    """Before a batch (start): BrowserNotFoundError with the browser's own error and the
    fix, not Playwright's launch log. Mid-batch (a relaunch after a crash): the
    measurement fails as a ``browser`` error (retried), with the same short message."""
    broken = broken_chromium(tmp_path)

    async def test(pool: ContextPool) -> tuple[str, str]:
        psdata.set_chromium_path(broken)
        with pytest.raises(BrowserNotFoundError) as at_start:
            await pool.start()
        psdata.set_chromium_path(None)
        await pool.start()  # a Chromium that works
        psdata.set_chromium_path(broken)
        assert kill_own_browsers()
        await asyncio.sleep(0.5)
        with pytest.raises(BrowserCrashError) as mid_batch:
            await pool.get_instance({})
        return str(at_start.value), str(mid_batch.value)

    for message in in_pool(test):
        assert message.startswith(f"Chromium ({broken}) did not start: ")
        assert "libnss3.so" in message and "set_chromium_path" in message
        assert "--disable-background-networking" not in message  # no launch log
        assert len(message.splitlines()) <= 4


def _kill(pids: frozenset[int]) -> None:
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(pid).kill()


def test_a_lowered_renderer_that_crashes_leaves_a_fresh_slot_at_full_priority() -> None:
    """A page's renderer lowered after its window, then killed: the slot is discarded
    and the next page gets a fresh context whose renderer is not lowered."""

    async def test(pool: ContextPool) -> None:
        slot = await pool.get_instance({})
        page = await slot.new_page()
        renderers = slot.renderers
        assert renderers, "no page was loading: the opening page's renderers are known"
        assert slot.lower_priority() == len(renderers)
        for pid in renderers:
            assert os.getpriority(os.PRIO_PROCESS, pid) == priority.background_nice()
        _kill(renderers)
        with pytest.raises(PlaywrightError):
            await page.evaluate("1 + 1")
        await pool.return_instance(slot, discard=True)
        slot = await pool.get_instance({})
        page = await slot.new_page()
        assert await page.evaluate("1 + 1") == 2
        assert slot.renderers and not slot.renderers & renderers
        # Chromium sets its renderers' priority itself where it may (0, or 5 for its spare
        # renderer, when it runs as root): never psdata's background priority here.
        lowered = priority.background_nice()
        assert all(os.getpriority(os.PRIO_PROCESS, pid) < lowered for pid in slot.renderers)
        await pool.return_instance(slot)

    in_pool(test)


def test_a_spare_whose_page_died_before_use_is_replaced() -> None:
    async def test(pool: ContextPool) -> None:
        slot = await pool.get_instance({})
        spare = pool.prepare_spare({})
        await pool.return_instance(slot)
        assert spare is not None
        ready = await spare
        assert ready.renderers
        _kill(ready.renderers)
        await asyncio.sleep(0.5)
        slot = await pool.get_instance({})
        assert not slot.has_ready_page and slot.context is not ready.context
        page = await slot.new_page()
        assert await page.evaluate("1 + 1") == 2
        await pool.return_instance(slot)
        stats = pool.stats()
        assert (stats["spares_used"], stats["spares_wasted"]) == (0, 1)

    in_pool(test)
