"""What the privacy-safe search log costs a search: the same release served twice, logging on and off.

    python -m bench.search_log [--n 1000] [--rounds 5] [--seconds 6] [--connections 8]

Generates ``--n`` services (bench.generate), publishes them once, and serves the release from two
waitress processes (8 threads each, as ``earlyhelp serve``) on 127.0.0.1:8190 (log on) and :8191
(log off, ``EARLYHELP_SEARCH_LOG=0``), each with its own instance folder. ``wrk`` (Debian package)
then loads them in turn for ``--rounds`` rounds, the order swapped every round so that neither
always runs first on this shared machine, with a mix of HTML and JSON searches in three languages
(distinct queries, filters, a page 2, and personal-looking queries that the log drops). Prints the
median requests/s and median latency of each, and the ratio. Then, in-process through the Flask
test client, the same mix with the log on and off alternating request by request (steadier on a
busy machine than blocks of seconds), and the view's call itself (``log_search``: normalising, the
privacy test and the append).

Needs ``wrk`` (``apt-get install wrk``). Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTS = {"on": 8190, "off": 8191}

QUERIES = ["debt advice", "money worries", "parenting course", "speech therapy", "food bank", "autism",
           "counselling", "housing", "young carers", "school refusal", "domestic abuse", "bereavement",
           "020 7946 0210", "N17 6AA", "toddler not talking", "adhd", "cant cope", "youth club"]
PATHS = ([f"/api/search?q={query.replace(' ', '+')}" for query in QUERIES]
         + [f"/search?q={query.replace(' ', '+')}" for query in QUERIES[:6]]
         + ["/search?need=parenting&hub=east", "/api/search?need=money-debt&age=16-18",
            "/pl/search?q=pieniadze", "/api/search?q=debt&lang=pl", "/search?q=support&page=2"])

WRK_SCRIPT = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def serve(content: str, index: str, instance: str, port: int) -> None:
    """The server process: the app on waitress until SIGTERM (which writes the log's last batch)."""
    import logging

    from waitress import serve as waitress_serve

    from app import create_app
    from app.config import TestingConfig

    config = TestingConfig(Path(content), Path(index), Path(instance))
    config.SEARCH_LOG = os.environ.get("EARLYHELP_SEARCH_LOG", "1") != "0"
    app = create_app(config)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" under load is expected

    def stop(_signal, _frame):
        raise SystemExit(0)  # waitress stops serving; the log's exit hook writes its last batch

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(SystemExit):
        waitress_serve(app, host="127.0.0.1", port=port, threads=8, ident="bench", _quiet=True)


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not start")


def _wrk(port: int, script: Path, seconds: int, connections: int) -> tuple[float, float]:
    """(requests/s, median latency ms) of one wrk run."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
               f"http://127.0.0.1:{port}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", output).groups()
    return rate, float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def _call_cost(content: Path, index: Path, instance: Path, reps: int = 20_000) -> float:
    """Median microseconds of the view's ``log_search`` call, in-process."""
    from app import create_app
    from app.config import TestingConfig
    from app.search.request import parse_request
    from app.web.search_log import log_search

    app = create_app(TestingConfig(content, index, instance))
    requests = [parse_request({"q": [query]}, {}) for query in QUERIES]
    samples = []
    with app.test_request_context("/search"):
        for number in range(reps):
            started = time.perf_counter()
            log_search(requests[number % len(requests)], 12)
            samples.append(time.perf_counter() - started)
        app.extensions["search_log"].flush()
    return statistics.median(samples) * 1e6


def _interleaved(content: Path, index: Path, tmp: Path, reps: int) -> dict[str, float]:
    """Median ms of each mode over the mix through the Flask test client, on and off alternating
    request by request (so the machine's load drifts alike for both)."""
    from app import create_app
    from app.config import TestingConfig

    clients = {}
    for mode in ("on", "off"):
        config = TestingConfig(content, index, tmp / f"instance-inprocess-{mode}")
        config.SEARCH_LOG = mode == "on"
        clients[mode] = create_app(config).test_client()
    samples: dict[tuple[str, str], list[float]] = {(mode, path): [] for mode in clients for path in PATHS}
    for number in range(reps + 1):  # the first pass warms up
        for path in PATHS:
            for mode in (("on", "off") if number % 2 else ("off", "on")):
                started = time.perf_counter()
                clients[mode].get(path)
                if number:
                    samples[(mode, path)].append(time.perf_counter() - started)
    # The whole mix once, each URL at its median.
    return {mode: sum(statistics.median(samples[(mode, path)]) for path in PATHS) * 1000 for mode in clients}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="services (default 1000)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--reps", type=int, default=20, help="in-process passes over the mix (default 20)")
    parser.add_argument("--serve", nargs=4, metavar=("CONTENT", "INDEX", "INSTANCE", "PORT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        content, index, instance, port = args.serve
        serve(content, index, instance, int(port))
        return

    from app.publishing.publish import publish
    from bench.generate import generate

    with tempfile.TemporaryDirectory(prefix="bench-search-log-") as tmp:
        tmp = Path(tmp)
        generate(tmp / "content", args.n)
        publish(tmp / "content", tmp / "index", processes=2)
        servers = {}
        for mode, port in PORTS.items():
            env = {**os.environ, "EARLYHELP_SEARCH_LOG": "1" if mode == "on" else "0"}
            servers[mode] = subprocess.Popen(
                [sys.executable, "-m", "bench.search_log", "--serve", str(tmp / "content"),
                 str(tmp / "index"), str(tmp / f"instance-{mode}"), str(port)], cwd=ROOT, env=env)
        try:
            for port in PORTS.values():
                _wait_until_up(port)
            script = tmp / "mix.lua"
            script.write_text(WRK_SCRIPT % ", ".join(f'"{path}"' for path in PATHS), encoding="utf-8")
            for port in PORTS.values():  # warm up: open the release, fill caches
                _wrk(port, script, 2, args.connections)
            results: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
            for number in range(args.rounds):
                order = ("off", "on") if number % 2 == 0 else ("on", "off")
                for mode in order:
                    results[mode].append(_wrk(PORTS[mode], script, args.seconds, args.connections))
                    print(f"round {number + 1} log {mode}: {results[mode][-1][0]:.1f} req/s, "
                          f"median {results[mode][-1][1]:.1f} ms", flush=True)
        finally:
            for server in servers.values():
                server.terminate()
            for server in servers.values():
                try:
                    server.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    server.kill()
        logged = tmp / "instance-on" / "search-log.db"
        rows = (sqlite3.connect(logged).execute("SELECT count(*) FROM searches").fetchone()[0]
                if logged.exists() else 0)
        cost = _call_cost(tmp / "content", tmp / "index", tmp / "instance-call")
        in_process = _interleaved(tmp / "content", tmp / "index", tmp, args.reps)

    rate = {mode: statistics.median(rate for rate, _latency in runs) for mode, runs in results.items()}
    latency = {mode: statistics.median(latency for _rate, latency in runs) for mode, runs in results.items()}
    print()
    print(f"{args.n} services, {len(PATHS)} URLs in the mix, wrk -t2 -c{args.connections}, "
          f"{args.rounds} rounds of {args.seconds} s each way")
    print("| search log | req/s (median) | median latency ms (median) |")
    print("|---|---|---|")
    for mode in ("off", "on"):
        print(f"| {mode} | {rate[mode]:.1f} | {latency[mode]:.1f} |")
    print(f"\nlogging on / off: throughput {rate['on'] / rate['off']:.3f}, latency "
          f"{latency['on'] / latency['off']:.3f}; {rows} searches logged by the 'on' server")
    print(f"in-process, interleaved request by request ({args.reps} passes): the mix's {len(PATHS)} URLs "
          f"at their medians take {in_process['on']:.1f} ms with the log on, {in_process['off']:.1f} ms off: "
          f"ratio {in_process['on'] / in_process['off']:.3f}")
    print(f"log_search() itself: median {cost:.1f} µs a call")


if __name__ == "__main__":
    main()
