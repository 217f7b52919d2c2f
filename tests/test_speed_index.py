"""Speed Index from synthetic screencast frames with analytically known answers."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from psdata.engines.lab.speed_index import speed_index, visual_progress

W, H = 412, 823  # the mobile viewport
COLORS = ["navy", "firebrick", "darkgreen", "orange"]


def frame(quarters: int = 0, *, fmt: str = "PNG", size: tuple[int, int] = (W, H)) -> bytes:
    """A white page with the first ``quarters`` horizontal bands painted, 4 = complete."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    band = size[1] / 4
    for i in range(quarters):
        draw.rectangle((0, round(i * band), size[0], round((i + 1) * band) - 1), fill=COLORS[i])
    buf = io.BytesIO()
    img.save(buf, fmt, **({"quality": 80} if fmt == "JPEG" else {}))
    return buf.getvalue()


def test_no_frames() -> None:
    assert speed_index([]) is None
    assert visual_progress([]) == []


def test_all_at_once() -> None:
    assert speed_index([(0.0, frame()), (1000.0, frame(4))]) == 1000.0
    # Intermediate identical blank frames change nothing.
    assert speed_index([(0.0, frame()), (400.0, frame()), (1000.0, frame(4))]) == 1000.0


def test_only_a_complete_frame() -> None:
    # No blank frame recorded: progress is 0 from navigation start to the frame.
    assert speed_index([(1000.0, frame(4))]) == 1000.0


def test_half_then_full() -> None:
    frames = [(0.0, frame()), (500.0, frame(2)), (1000.0, frame(4))]
    assert visual_progress(frames) == [(0.0, 0.0), (500.0, 0.5), (1000.0, 1.0)]
    assert speed_index(frames) == 750.0


def test_quarters() -> None:
    frames = [(0.0, frame())] + [(250.0 * q, frame(q)) for q in range(1, 5)]
    assert [p for _, p in visual_progress(frames)] == [0.0, 0.25, 0.5, 0.75, 1.0]
    # 250 * (1 + 0.75 + 0.5 + 0.25)
    assert speed_index(frames) == 625.0


def test_progress_rounds_down_to_whole_percent() -> None:
    # A third of the content: 33.3...% -> 0.33.
    full = Image.new("RGB", (300, 300), "navy")
    part = Image.new("RGB", (300, 300), "white")
    part.paste(full.crop((0, 0, 300, 100)))
    frames = []
    for ts, img in [(0.0, Image.new("RGB", (300, 300), "white")), (100.0, part), (200.0, full)]:
        buf = io.BytesIO()
        img.save(buf, "PNG")
        frames.append((ts, buf.getvalue()))
    assert [p for _, p in visual_progress(frames)] == [0.0, 0.33, 1.0]


def test_a_change_undone_within_seconds_is_held_as_lighthouse_does() -> None:
    # Complete at 1 s, half of it covered at 1.5 s, complete again at 2 s: the span from
    # 1 s to 2 s starts and ends at 100 %, so its inside frame is held at 100 %.
    frames = [(0.0, frame()), (1000.0, frame(4)), (1500.0, frame(2)), (2000.0, frame(4))]
    assert [p for _, p in visual_progress(frames)] == [0.0, 1.0, 1.0, 1.0]
    assert speed_index(frames) == 1000.0


def test_frames_far_apart_are_each_judged() -> None:
    # The same change undone 7 s later: no allowance for so long a span.
    frames = [(0.0, frame()), (1000.0, frame(4)), (1500.0, frame(2)), (8000.0, frame(4))]
    assert [p for _, p in visual_progress(frames)] == [0.0, 1.0, 0.5, 1.0]
    assert speed_index(frames) == 1000.0 + 0.5 * 6500


def test_frames_before_navigation_count_from_zero() -> None:
    frames = [(-300.0, frame()), (-100.0, frame()), (600.0, frame(4))]
    assert speed_index(frames) == 600.0


def test_a_first_frame_with_content_counts_from_a_blank_start() -> None:
    # The screencast sends nothing while about:blank shows: its first frame may be painted.
    frames = [(200.0, frame(2)), (1000.0, frame(4))]
    assert visual_progress(frames) == [(200.0, 0.5), (1000.0, 1.0)]
    assert speed_index(frames) == 200.0 + 800.0 * 0.5


def test_nothing_changes() -> None:
    frames = [(120.0, frame(4)), (500.0, frame(4))]
    assert visual_progress(frames) == [(120.0, 1.0), (500.0, 1.0)]
    assert speed_index(frames) == 120.0  # complete from the first frame on


def test_a_blank_final_frame_falls_back_to_first_paint() -> None:
    frames = [(0.0, frame()), (500.0, frame())]
    assert speed_index(frames, first_paint_ms=300.0) == 300.0
    assert speed_index(frames) is None


def test_jpeg_frames_of_different_sizes() -> None:
    # JPEG noise and a resized viewport still give the analytic answer closely.
    frames = [
        (0.0, frame(fmt="JPEG")),
        (500.0, frame(2, fmt="JPEG", size=(824, 1646))),
        (1000.0, frame(4, fmt="JPEG")),
    ]
    assert speed_index(frames) == pytest.approx(750.0, rel=0.03)
