"""Serve ldapply for development: the web server and a real Celery worker (with beat), stopped together.

Run by `make run`. Ctrl-C (or SIGTERM) stops both processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = os.environ.get("LDAPPLY_HOST", "127.0.0.1")
PORT = os.environ.get("LDAPPLY_PORT", "5000")


def commands() -> list[list[str]]:
    instance = Path(os.environ.get("LDAPPLY_INSTANCE_PATH") or ROOT / "instance")
    worker = [
        str(BIN / "celery"),
        "-A",
        "worker:celery",
        "worker",
        "--beat",
        "--concurrency",
        "1",
        "--schedule",
        str(instance / "celerybeat-schedule"),
        "--loglevel",
        "INFO",
    ]
    web = [
        str(BIN / "gunicorn"),
        "--workers",
        "2",
        "--bind",
        f"{HOST}:{PORT}",
        "--reuse-port",
        "--access-logfile",
        "-",
        "--timeout",
        "30",
        "wsgi:app",
    ]
    return [worker, web]


def main() -> int:
    env = {**os.environ, "LDAPPLY_ENV": os.environ.get("LDAPPLY_ENV", "development")}
    processes = [subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True) for cmd in commands()]
    print(f"\nldapply serves at http://{HOST}:{PORT}  (Ctrl-C stops web and worker)\n", flush=True)

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()  # the main process shuts its own children down (warm shutdown)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    finally:
        stop()
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
