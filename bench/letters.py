"""Letter benchmarks: rendering cost against bare WeasyPrint, and decision-to-PDF latency with a real worker.

Run: `make bench` (or `.venv/bin/python bench/letters.py [--letters N]`). Prints medians and ratios
against a baseline measured in the same run, because absolute times drift on shared machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A bare page with about as much text as a decision letter, no template, no fetcher.
BASELINE_HTML = (
    "<html><head><style>@page { size: A4; margin: 25mm } body { font-family: 'DejaVu Sans'; }</style></head>"
    "<body><h1>Baseline</h1>"
    + "<p>"
    + "Lorem ipsum dolor sit amet, consectetur adipiscing. " * 40
    + "</p>" * 3
    + "</body></html>"
)


def median_ms(function, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench_rendering(context: dict, repeat: int) -> None:
    """A real decision letter's frozen context, rendered again and again, against a bare page."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from ldapply.services import letters

    fonts = FontConfiguration()
    HTML(string=BASELINE_HTML).write_pdf(font_config=fonts)  # warm-up
    letters.render_pdf(letters.render_html("general", "decision_granted", context))
    baseline = median_ms(lambda: HTML(string=BASELINE_HTML).write_pdf(font_config=fonts), repeat)
    ours = median_ms(lambda: letters.render_pdf(letters.render_html("general", "decision_granted", context)), repeat)
    print(f"bare WeasyPrint page (baseline):     {baseline:7.1f} ms median over {repeat}")
    print(f"ldapply decision letter (template):  {ours:7.1f} ms median   ratio {ours / baseline:4.2f}x baseline")
    print(
        f"  target P5: <= 150 ms per letter -> {'OK' if ours <= 150 else 'OVER'}; "
        f"{1000 / ours:.1f} letters/s on one core"
    )


def prepare() -> Flask:
    """A throw-away instance folder with a migrated SQLite database, as `make run` would have."""
    instance = Path(tempfile.mkdtemp(prefix="ldapply-bench-"))
    os.environ.update(
        {
            "LDAPPLY_ENV": "test",
            "LDAPPLY_INSTANCE_PATH": str(instance),
            "LDAPPLY_SECRET_KEY": "bench",
            "LDAPPLY_DATABASE_URL": f"sqlite:///{instance / 'bench.sqlite'}",
        }
    )
    from flask_migrate import upgrade

    from ldapply import create_app

    app = create_app()
    with app.app_context():
        upgrade()
    return app


def bench_latency(app: Flask, count: int) -> None:
    """Decision committed -> PDF stored, through the embedded broker and a real worker process."""
    from bench._data import make_granted_letters
    from ldapply.extensions import db
    from ldapply.models import Letter, LetterStatus

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "worker:celery", "worker", "--pool", "solo", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(4)  # worker start-up is not part of the latency
        latencies = []
        with app.app_context():
            for letter_id, committed_at in make_granted_letters(count):
                while True:
                    letter = db.session.get(Letter, letter_id)
                    if letter.status != LetterStatus.PENDING:
                        latencies.append(time.monotonic() - committed_at)
                        break
                    db.session.rollback()
                    time.sleep(0.05)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(
        f"decision committed -> PDF stored:    median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s "
        f"over {count} decisions (target P5: p95 <= 10 s -> {'OK' if p95 <= 10 else 'OVER'})"
    )


def first_letter_context(app: Flask) -> dict:
    from ldapply.extensions import db
    from ldapply.models import Letter

    with app.app_context():
        return dict(db.session.scalars(db.select(Letter).where(Letter.kind == "decision_granted")).first().context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=20, help="renders per measurement")
    args = parser.parse_args()
    app = prepare()
    bench_latency(app, max(2, args.letters // 2))
    bench_rendering(first_letter_context(app), args.letters)


if __name__ == "__main__":
    main()
