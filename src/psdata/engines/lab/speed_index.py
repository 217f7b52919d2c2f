"""Speed Index from screencast frames, by visual progress of colour histograms.

This is the histogram method of WebPageTest and speedline (which Lighthouse uses):

1. Each frame becomes three 256-bin colour histograms (R, G, B). Near-white pixels
   (every channel at least 249) are background and are not counted, so a blank page
   has empty histograms and small white-on-white rendering noise is ignored.
2. The visual progress of frame *i* compares it with the blank start *S* and the final
   frame *F*, bin by bin over all three channels::

       progress_i = sum(min(|H_i - H_S|, |H_F - H_S|)) / sum(|H_F - H_S|)

   rounded down to a whole percent; it is 1 for the last frame. *S* is a blank page
   (empty histograms), what Lighthouse's first screenshot (of ``about:blank``) shows:
   the screencast sends frames only when something changes, so its first frame may
   already show the page.
3. As in Lighthouse (speedline's "fast mode"), not every frame's own progress is used.
   Starting from the whole run (blank start to final frame), a span of frames whose
   two ends differ by less than an allowance keeps its first end's progress for the
   frames between them; otherwise the span is halved and each half judged alike. The
   allowance, in percent, shrinks with the span's duration *t* (seconds):
   ``6 · (2/3)^t − 1`` (5 points for frames close together, 3 at one second apart,
   none beyond 4.4 s). So an animation that ends where it began costs nothing, and a
   page that keeps changing a little is judged by frames a few seconds apart.
4. Speed Index is the area above the visual-progress curve, from navigation start
   (progress 0 before the first frame) to the final frame::

       SI = integral over t of (1 - progress(t)) dt

So a page that paints everything at once at *t* ms has SI = *t*, and one that paints
half its content at 500 ms and the rest at 1000 ms has SI = 750.

Cost: each frame is decoded at a reduced size (JPEG DCT scaling, then nearest-neighbour
down to at most 256 px a side), so a frame costs a few milliseconds whatever the
viewport; with *F* frames the run is O(F · 256²) time and O(F · 768) memory.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = ["speed_index", "visual_progress"]

_WHITE = 249  # a pixel with every channel at least this is background
_MAX_SIDE = 256  # frames are analysed at most this many pixels a side
_CHANNEL_OFFSETS = np.array([0, 256, 512])


def _histogram(image: bytes) -> npt.NDArray[np.float64]:
    """R, G and B histograms of the non-white pixels, as fractions of all pixels."""
    with Image.open(io.BytesIO(image)) as img:
        img.draft("RGB", (_MAX_SIDE, _MAX_SIDE))  # JPEG only: decode at 1/2, 1/4 or 1/8
        rgb = img.convert("RGB")
    rgb.thumbnail((_MAX_SIDE, _MAX_SIDE), Image.Resampling.NEAREST)
    pixels = np.asarray(rgb).reshape(-1, 3)
    painted = pixels[(pixels < _WHITE).any(axis=1)]
    counts = np.bincount((painted + _CHANNEL_OFFSETS).ravel(), minlength=768)
    return counts / len(pixels)


def visual_progress(frames: Sequence[tuple[float, bytes]]) -> list[tuple[float, float]]:
    """Visual progress (0..1) of each frame towards the last one.

    Parameters
    ----------
    frames : Sequence[tuple[float, bytes]]
        ``(timestamp_ms, image)`` pairs sorted by time; images are JPEG or PNG bytes
        (what ``Page.startScreencast`` sends, base64-decoded).

    Returns
    -------
    list[tuple[float, float]]
        ``(timestamp_ms, progress)`` per frame; a blank frame has progress 0 and the last
        frame 1 (when the last frame is blank too, every frame has 1).

    Examples
    --------
    >>> from PIL import Image
    >>> def png(color):
    ...     buf = io.BytesIO()
    ...     Image.new("RGB", (40, 40), color).save(buf, "PNG")
    ...     return buf.getvalue()
    >>> visual_progress([(0.0, png("white")), (800.0, png("navy"))])
    [(0.0, 0.0), (800.0, 1.0)]
    """
    if not frames:
        return []
    return _progress([ts for ts, _ in frames], _histograms(frames))


def _histograms(frames: Sequence[tuple[float, bytes]]) -> npt.NDArray[np.float64]:
    """One row of :func:`_histogram` per frame: how far each is from a blank start."""
    return np.stack([_histogram(image) for _, image in frames])


def _progress(stamps: Sequence[float], moved: npt.NDArray[np.float64]) -> list[tuple[float, float]]:
    target = moved[-1]
    total = target.sum()
    if total == 0:
        return [(ts, 1.0) for ts in stamps]
    matched = np.minimum(moved, target).sum(axis=1)
    # Whole percents, with the blank start as point 0 at time 0.
    percents = [0, *(math.floor(100 * m / total) for m in matched.tolist())]
    times = [0.0, *(max(ts, 0.0) for ts in stamps)]
    held = list(percents)
    _hold_spans(times, percents, held, 0, len(percents) - 1)
    return [(ts, p / 100) for ts, p in zip(stamps, held[1:], strict=True)]


def _allowance(seconds: float) -> float:
    """How many percent two frames *seconds* apart may differ and still hold a span."""
    return 6 * math.pow(2 / 3, seconds) - 1


def _hold_spans(
    times: Sequence[float], percents: Sequence[int], held: list[int], lo: int, hi: int
) -> None:
    """Give the frames strictly between *lo* and *hi* their progress (step 3 above)."""
    if abs(percents[hi] - percents[lo]) < _allowance((times[hi] - times[lo]) / 1000):
        held[lo + 1 : hi] = [percents[lo]] * (hi - lo - 1)
    elif hi - lo > 1:
        mid = (lo + hi) // 2
        _hold_spans(times, percents, held, lo, mid)
        _hold_spans(times, percents, held, mid, hi)


def speed_index(
    frames: Sequence[tuple[float, bytes]], *, first_paint_ms: float | None = None
) -> float | None:
    """Speed Index (ms) of a page load from its screencast frames.

    Parameters
    ----------
    frames : Sequence[tuple[float, bytes]]
        ``(timestamp_ms, image)`` pairs sorted by time, timestamps in ms since
        navigation start (earlier frames count from 0); images are JPEG or PNG bytes.
        The last frame is taken as visually complete.
    first_paint_ms : float, optional
        The page's first (contentful) paint: the answer when the final frame is blank
        (nothing to measure progress towards; Lighthouse fails such a page).

    Returns
    -------
    float | None
        The area above the visual-progress curve in ms; ``None`` without frames.

    Examples
    --------
    >>> from PIL import Image
    >>> def png(color):
    ...     buf = io.BytesIO()
    ...     Image.new("RGB", (40, 40), color).save(buf, "PNG")
    ...     return buf.getvalue()
    >>> speed_index([(0.0, png("white")), (1000.0, png("navy"))])
    1000.0
    >>> print(speed_index([]))
    None
    """
    if not frames:
        return None
    moved = _histograms(frames)  # each frame decoded once
    if not moved[-1].any():
        return first_paint_ms
    area = 0.0
    prev_ts, prev_progress = 0.0, 0.0
    for ts, p in _progress([ts for ts, _ in frames], moved):
        ts = max(ts, 0.0)
        area += (ts - prev_ts) * (1 - prev_progress)
        prev_ts, prev_progress = ts, p
    return area
