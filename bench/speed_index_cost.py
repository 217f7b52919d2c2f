"""What Speed Index costs per screencast frame, against decoding the frame in full.

Speed Index decodes each frame at a reduced size (JPEG DCT scaling) before taking its
colour histograms (``psdata.engines.lab.speed_index``). This times it on 60 synthetic
JPEG frames (a page painted band by band, as the screencast sends them) at a phone's
screencast size and at 4x its pixels, and times a full-size decode of the same frames in
the same run, taking turns; each is the fastest of ``--repeat`` rounds (a busy machine
only adds time). Target: at 4x the phone's pixels, Speed Index costs at most a quarter
of a full decode per frame (measured 0.05-0.11 on the shared 2-core machine; a
full-size decode or a per-pixel loop would cost one or more). Runs in seconds, no
browser.

    .venv/bin/python bench/speed_index_cost.py

Raw numbers go to ``bench/out/speed_index_cost-*.json``.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
from common import fmt

#: Screencast frame sizes: a phone's (412 x 823 CSS px at DPR 1.75) and 4x its pixels.
SIZES = {"phone": (720, 1440), "4x phone": (1440, 2880)}
FRAMES = 60
#: Speed Index per frame / a full decode per frame, at 4x the phone's pixels.
TARGET = 0.25
COLOURS = ("navy", "firebrick", "darkgreen", "orange")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds (the fastest counts)")
    return parser.parse_args(argv)


def frame(bands: int, size: tuple[int, int]) -> bytes:
    """A white page with its first *bands* quarters painted, as a JPEG."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    height = size[1] / 4
    for i in range(bands):
        box = (0, round(i * height), size[0], round((i + 1) * height) - 1)
        draw.rectangle(box, fill=COLOURS[i])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def fastest(works: Sequence[Callable[[], object]], rounds: int) -> list[float]:
    """The fastest of *rounds* runs of each of *works*, in seconds; the works take turns
    so that load on the machine hits them alike."""
    times: list[list[float]] = [[] for _ in works]
    for _ in range(rounds):
        for work, taken in zip(works, times, strict=True):
            start = time.perf_counter()
            work()
            taken.append(time.perf_counter() - start)
    return [min(taken) for taken in times]


def main(argv: list[str] | None = None) -> int:
    from PIL import Image

    from psdata.engines.lab.speed_index import speed_index

    args = parse_args(argv)
    rounds = max(1, args.repeat)
    results = {}
    for name, size in SIZES.items():
        frames = [(10.0 * i, frame(i % 5, size)) for i in range(FRAMES)]

        def decode_all(frames: list[tuple[float, bytes]] = frames) -> None:
            for _, data in frames:
                with Image.open(io.BytesIO(data)) as image:
                    image.convert("RGB")

        speed, decode = (
            seconds / FRAMES
            for seconds in fastest([lambda frames=frames: speed_index(frames), decode_all], rounds)
        )
        results[name] = {"speed_index_ms": speed * 1000, "full_decode_ms": decode * 1000}
        print(f"{name} {size}: {speed * 1000:.2f} ms/frame, full decode {decode * 1000:.2f}")
    rows = [
        [name, fmt(r["speed_index_ms"], 2), fmt(r["full_decode_ms"], 2)]
        for name, r in results.items()
    ]
    print(f"\n=== Speed Index per frame ({FRAMES} JPEG frames, fastest of {rounds}) ===")
    print(common.table(["frames", "speed index ms", "full decode ms"], rows))
    large = results["4x phone"]
    ratio = large["speed_index_ms"] / large["full_decode_ms"]
    targets = [
        common.target_row(
            "Speed Index / full decode per frame, 4x phone", ratio, "<=", TARGET, fmt(ratio, 2)
        )
    ]
    common.print_targets(targets)
    path = common.write_json(
        "speed_index_cost",
        {
            "args": vars(args),
            "environment": common.environment(),
            "results": results,
            "targets": targets,
        },
    )
    print(f"\nraw numbers: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
