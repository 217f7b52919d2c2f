"""Lighthouse 12's emulation and throttling presets, as public facts.

A *profile* is what one measurement needs to know about the device and the network: the
CDP emulation Lighthouse applies itself to the page's target before navigation (device
metrics, touch, user agent with client-hint metadata), the CDP throttling, and the few
Playwright context options that must be set per context (user agent for the context's
own requests, locale, safety).

The device metrics are not Playwright's ``viewport``/``is_mobile`` context options:
Playwright adds a screen size and orientation and resizes the window, and sends no
user-agent metadata, so a page saw a different ``screen``, ``navigator.userAgentData``
and ``Sec-CH-UA-*`` headers than under Lighthouse. psdata sends Lighthouse's exact
commands instead (see :meth:`Profile.emulation_commands`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..._errors import ConfigurationError
from ..._lighthouse import DEFAULT_THROTTLING, THROTTLING_METHODS

MOBILE_UA = (
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36"
)
DESKTOP_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36"
)

#: The page's language (``navigator.language``, ``Accept-Language``), as in Lighthouse's runs.
LOCALE = "en-US"


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


#: The CPU slowdown Lighthouse's simulation (Lantern) models, per form factor.
SIMULATED_CPU_SLOWDOWN = {"mobile": MOBILE_SLOW_4G.cpu_slowdown, "desktop": 1.0}


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
        """Keywords for Playwright's ``browser.new_context``: what must be context-wide.

        No viewport: the device metrics are set per page by :meth:`emulation_commands`,
        as Lighthouse sets them. The user agent stays here too, for the context's own
        requests (robots.txt) and workers.

        >>> profile_for("mobile").context_options()["no_viewport"]
        True
        """
        return {
            "no_viewport": True,
            "user_agent": self.user_agent,
            "locale": LOCALE,
            "accept_downloads": False,
            "service_workers": "block",
            "bypass_csp": False,
        }

    def user_agent_metadata(self) -> dict[str, Any]:
        """Client-hint metadata Lighthouse sends with its user agent (Moto G Power / macOS).

        >>> meta = profile_for("mobile").user_agent_metadata()
        >>> meta["platform"], meta["mobile"], meta["brands"][0]
        ('Android', True, {'brand': 'Chromium', 'version': '119'})
        """
        match = re.search(r"Chrome/([\d.]+)", self.user_agent)
        full_version = match.group(1) if match else "99.0.1234.0"
        major = full_version.split(".", 1)[0]
        device = (
            {"platform": "Android", "platformVersion": "11.0", "architecture": "",
             "model": "moto g power (2022)"}
            if self.mobile
            else {"platform": "macOS", "platformVersion": "10.15.7", "architecture": "x86",
                  "model": ""}
        )  # fmt: skip
        return {
            "brands": [
                {"brand": "Chromium", "version": major},
                {"brand": "Google Chrome", "version": major},
            ],
            "fullVersion": full_version,
            **device,
            "mobile": self.mobile,
        }

    def emulation_commands(self) -> list[tuple[str, dict[str, Any]]]:
        """The CDP commands Lighthouse's ``emulate()`` sends to the page, in its order.

        >>> [method for method, _ in profile_for("desktop").emulation_commands()]
        ['Network.setUserAgentOverride', 'Emulation.setDeviceMetricsOverride', \
'Emulation.setTouchEmulationEnabled']
        >>> profile_for("mobile").emulation_commands()[1][1]
        {'width': 412, 'height': 823, 'deviceScaleFactor': 1.75, 'mobile': True}
        """
        metrics = {
            "width": self.width,
            "height": self.height,
            "deviceScaleFactor": self.device_scale_factor,
            "mobile": self.mobile,
        }
        user_agent = {
            "userAgent": self.user_agent,
            "acceptLanguage": LOCALE,
            "userAgentMetadata": self.user_agent_metadata(),
        }
        return [
            ("Network.setUserAgentOverride", user_agent),
            ("Emulation.setDeviceMetricsOverride", metrics),
            ("Emulation.setTouchEmulationEnabled", {"enabled": self.mobile}),
        ]


def profile_for(strategy: str, throttling: str = DEFAULT_THROTTLING) -> Profile:
    """The emulation profile of Lighthouse's *strategy* preset under *throttling*.

    >>> profile_for("mobile", "devtools").throttling.cpu_slowdown
    4.0
    >>> profile_for("mobile").throttling.cpu_slowdown  # simulate: the load is unthrottled
    1.0
    >>> profile_for("desktop").width
    1350
    """
    if throttling not in THROTTLING_METHODS:
        raise ConfigurationError(
            f"throttling must be one of {', '.join(THROTTLING_METHODS)}, got {throttling!r}."
        )
    if strategy == "mobile":
        # "simulate" loads unthrottled: Lantern models the slow device afterwards.
        applied = MOBILE_SLOW_4G if throttling == "devtools" else NO_THROTTLING
        return Profile("mobile", 412, 823, 1.75, True, MOBILE_UA, throttling, applied)
    if strategy == "desktop":
        # Lighthouse's desktop preset applies no throttling in devtools mode.
        return Profile("desktop", 1350, 940, 1.0, False, DESKTOP_UA, throttling, NO_THROTTLING)
    raise ConfigurationError(f"strategy must be 'mobile' or 'desktop', got {strategy!r}.")
