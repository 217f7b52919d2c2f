"""Lighthouse 12's emulation and throttling presets, as public facts.

A *profile* is what one measurement needs to know about the device and the network:
Playwright context options (viewport, DPR, mobile, touch, user agent) and the CDP
throttling applied to the page's own target before navigation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._engines import ENGINES
from .._errors import ConfigurationError

MOBILE_UA = (
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36"
)
DESKTOP_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36"
)


@dataclass(frozen=True)
class Throttling:
    """Applied ("devtools") throttling: request latency, throughput and CPU slowdown."""

    request_latency_ms: float = 0.0
    download_kbps: float = 0.0  # 0 = unlimited
    upload_kbps: float = 0.0
    cpu_slowdown: float = 1.0

    @property
    def network_active(self) -> bool:
        """Whether any network throttling applies."""
        return bool(self.request_latency_ms or self.download_kbps or self.upload_kbps)

    def network_conditions(self) -> dict[str, Any]:
        """Arguments of CDP ``Network.emulateNetworkConditions`` (throughput in bytes/s)."""
        return {
            "offline": False,
            "latency": self.request_latency_ms,
            "downloadThroughput": self.download_kbps * 1024 / 8 if self.download_kbps else -1,
            "uploadThroughput": self.upload_kbps * 1024 / 8 if self.upload_kbps else -1,
        }


NO_THROTTLING = Throttling()
#: Lighthouse's mobile "slow 4G" applied values: 150 ms RTT x 3.75, 1.6 Mbit/s x 0.9, 4x CPU.
MOBILE_SLOW_4G = Throttling(562.5, 1.6 * 1024 * 0.9, 750 * 0.9, 4.0)


@dataclass(frozen=True)
class Profile:
    """Device emulation and throttling for one strategy and throttling mode."""

    strategy: str
    width: int
    height: int
    device_scale_factor: float
    mobile: bool
    user_agent: str
    throttling_mode: str
    throttling: Throttling

    def context_options(self) -> dict[str, Any]:
        """Keywords for Playwright's ``browser.new_context``: emulation plus safety."""
        return {
            "viewport": {"width": self.width, "height": self.height},
            "screen": {"width": self.width, "height": self.height},
            "device_scale_factor": self.device_scale_factor,
            "is_mobile": self.mobile,
            "has_touch": self.mobile,
            "user_agent": self.user_agent,
            "locale": "en-US",
            "accept_downloads": False,
            "service_workers": "block",
            "bypass_csp": False,
        }


def profile_for(strategy: str, throttling: str = "devtools") -> Profile:
    """The emulation profile of Lighthouse's *strategy* preset under *throttling*.

    >>> profile_for("mobile").throttling.cpu_slowdown
    4.0
    >>> profile_for("desktop").width
    1350
    """
    modes = ENGINES["lab"].throttling
    if throttling not in modes:
        raise ConfigurationError(
            f"throttling must be one of {', '.join(modes)}, got {throttling!r}."
        )
    if strategy == "mobile":
        applied = MOBILE_SLOW_4G if throttling == "devtools" else NO_THROTTLING
        return Profile("mobile", 412, 823, 1.75, True, MOBILE_UA, throttling, applied)
    if strategy == "desktop":
        # Lighthouse's desktop preset applies no throttling in devtools mode.
        return Profile("desktop", 1350, 940, 1.0, False, DESKTOP_UA, throttling, NO_THROTTLING)
    raise ConfigurationError(f"strategy must be 'mobile' or 'desktop', got {strategy!r}.")
