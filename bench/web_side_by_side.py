"""The read side over HTTP, this tree against another checkout, alternating on the same content.

    git archive main | tar -x -C /tmp/main-tree
    earlyhelp publish --content /tmp/c10k --index /tmp/idx-this     # and the same from /tmp/main-tree
    python -m bench.web_side_by_side --content /tmp/c10k --index /tmp/idx-this \\
        --baseline /tmp/main-tree --baseline-index /tmp/idx-main --rounds 3

Each round runs, for each tree in turn (the order swaps every round), its own
``earlyhelp serve`` (waitress; started in the tree's folder so ``app`` is that
tree's code) on its own index folder:

- assembly: the CPU time (``time.process_time``) of the results page and of
  the API for each query of the mix, through the WSGI app in its own process
  (no server, no network), page and API interleaved, nothing kept: the page's
  time less the API's is what assembling the page costs, and CPU time is
  less moved by the other work on the machine than wall time;
- latency: the query mix of ``bench.run`` over one keep-alive connection,
  ``--reps`` passes, as the HTML results page and as ``/api/search``, with
  ``EARLYHELP_RENDERED_PAGES_MB=0`` (no whole page kept: every request searches
  and renders), as ``bench.run``'s ``http`` phase does;
- throughput (the default store of rendered pages), with wrk as
  ``bench.throughput`` runs it: service pages warm and each once (cold), the
  results page warm and every search different (cold), and ``/healthz``; one
  row per ``--threads`` value (waitress threads).

Every measurement records the load average when it ended. Prints Markdown
tables of medians over the rounds (latency: median and p95 of every sample)
and writes ``<out>/web-side-by-side.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench.run import QUERIES
from bench.throughput import cold_search_paths, fetch, mix_paths, require_wrk, run_wrk, service_ids

ROOT = Path(__file__).resolve().parent.parent


def start(tree: Path, content: Path, index: Path, port: int, threads: int, cache_mb: int | None,
          work: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(tree), "EARLYHELP_CONTENT_DIR": str(content),
           "EARLYHELP_INDEX_DIR": str(index), "EARLYHELP_INSTANCE_DIR": str(work / f"instance-{tree.name}")}
    env.pop("EARLYHELP_RENDERED_PAGES_MB", None)
    if cache_mb is not None:
        env["EARLYHELP_RENDERED_PAGES_MB"] = str(cache_mb)
    server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port), "--threads",
                               str(threads)], cwd=tree, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if fetch(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"the server of {tree} did not start")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def latency(port: int, reps: int) -> dict[str, dict[str, list[float]]]:
    """Milliseconds of every request of the mix, by page kind and query (one warm-up pass first)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    found: dict[str, dict[str, list[float]]] = {}
    for kind, base in (("page", "/search"), ("api", "/api/search")):
        paths = {name: base + "?" + urllib.parse.urlencode(params, doseq=True)
                 for name, params in QUERIES.items()}
        samples = found[kind] = {name: [] for name in QUERIES}
        for rep in range(reps + 1):
            for name, path in paths.items():
                started = time.perf_counter()
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                assert response.status == 200, (path, response.status)
                if rep:
                    samples[name].append((time.perf_counter() - started) * 1000)
    connection.close()
    return found


# In the tree's folder (so `app` is that tree's code): the CPU time of the results page and of the
# API for each query of the mix, through the WSGI app in-process, interleaved, nothing kept.
_ASSEMBLY = r"""
import json, os, sys, time, urllib.parse
os.environ["EARLYHELP_RENDERED_PAGES_MB"] = "0"
from werkzeug.test import EnvironBuilder
from app import create_app
from bench.run import QUERIES
reps = int(sys.argv[1])
app = create_app()
def environ(path):
    return EnvironBuilder(path=path, headers={"Host": "127.0.0.1"}).get_environ()
def call(env):
    out = app(dict(env), lambda status, headers, exc=None: None)
    b"".join(out)
    getattr(out, "close", lambda: None)()
found = {}
for name, params in QUERIES.items():
    query = urllib.parse.urlencode(params, doseq=True)
    pair = {"page": environ("/search?" + query), "api": environ("/api/search?" + query)}
    samples = {kind: [] for kind in pair}
    for rep in range(reps + 1):
        for kind, env in pair.items():
            started = time.process_time()
            call(env)
            if rep:
                samples[kind].append((time.process_time() - started) * 1000)
    found[name] = samples
print(json.dumps(found))
"""


def assembly(tree: Path, content: Path, index: Path, reps: int, work: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{ROOT}", "EARLYHELP_CONTENT_DIR": str(content),
           "EARLYHELP_INDEX_DIR": str(index), "EARLYHELP_INSTANCE_DIR": str(work / f"instance-{tree.name}")}
    completed = subprocess.run([sys.executable, "-c", _ASSEMBLY, str(reps)], cwd=tree, env=env,
                               capture_output=True, text=True)
    if completed.returncode:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"the assembly phase in {tree} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]  # nearest rank


def print_latency(runs: dict) -> None:
    print("\n| query | this page median / p95 ms | baseline page | this API | baseline API | page ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for query in QUERIES:
        cells = {}
        for name in runs:
            for kind in ("page", "api"):
                values = [value for run in runs[name]["latency"] for value in run["samples"][kind][query]]
                cells[name, kind] = f"{statistics.median(values):.1f} / {p95(values):.1f}"
                cells[name, kind, "median"] = statistics.median(values)
        ratio = cells["this", "page", "median"] / cells["baseline", "page", "median"]
        print(f"| {query} | {cells['this', 'page']} | {cells['baseline', 'page']} | {cells['this', 'api']} | "
              f"{cells['baseline', 'api']} | {ratio:.2f}x |")


def print_assembly(runs: dict) -> None:
    print("\n| query | this page / API CPU ms (median) | page - API | baseline page / API | page - API | "
          "assembly ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for query in QUERIES:
        cells, gaps = {}, {}
        for name in runs:
            medians = {kind: statistics.median([value for run in runs[name]["assembly"]
                                                for value in run["samples"][query][kind]])
                       for kind in ("page", "api")}
            gaps[name] = medians["page"] - medians["api"]
            cells[name] = f"{medians['page']:.1f} / {medians['api']:.1f} | {gaps[name]:.1f}"
        print(f"| {query} | {cells['this']} | {cells['baseline']} | {gaps['this'] / gaps['baseline']:.2f}x |")


def print_throughput(runs: dict, threads: list[int]) -> None:
    print("\n| request | threads | this req/s (median; runs) | baseline req/s | ratio | this p50 / p99 ms "
          "| errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for count in threads:
        for row in runs["this"]["throughput"][0]["rows"]:
            found = {name: [run["rows"][row] for run in runs[name]["throughput"] if run["threads"] == count]
                     for name in runs}
            rates = {name: [value["requests_per_s"] for value in values] for name, values in found.items()}
            medians = {name: statistics.median(values) for name, values in rates.items()}
            errors = sum(value["errors"] for values in found.values() for value in values)
            middle = sorted(found["this"], key=lambda value: value["requests_per_s"])[len(found["this"]) // 2]
            listed = {name: ", ".join(f"{value:.0f}" for value in values) for name, values in rates.items()}
            print(f"| {row} | {count} | {medians['this']:.0f} ({listed['this']}) | "
                  f"{medians['baseline']:.0f} ({listed['baseline']}) | "
                  f"{medians['this'] / medians['baseline']:.2f}x | "
                  f"{middle['p50_ms']} / {middle['p99_ms']} | {errors} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True, help="this tree's index folder (published)")
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the code to compare with")
    parser.add_argument("--baseline-index", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reps", type=int, default=10, help="passes over the query mix for latency")
    parser.add_argument("--duration", type=int, default=6, help="seconds of each wrk row")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", default="8", help="waitress threads, comma-separated for several")
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--port", type=int, default=8170)
    parser.add_argument("--skip", default="", help="comma-separated: assembly, latency, throughput")
    parser.add_argument("--rows", default="", help="comma-separated words: only the wrk rows naming one")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "web-side-by-side.json")
    args = parser.parse_args(argv)
    require_wrk()
    trees = {"this": (ROOT, args.index), "baseline": (args.baseline.resolve(), args.baseline_index)}
    threads = [int(value) for value in args.threads.split(",")]
    skip = set(filter(None, args.skip.split(",")))
    only_rows = list(filter(None, args.rows.split(",")))
    work = Path(tempfile.mkdtemp(prefix="earlyhelp-web-side-"))
    ids = service_ids(args.index, max(args.services, 10000), 1)
    warm_services = [f"/services/{service_id}" for service_id in ids[:args.services]]
    cold_services = [f"/services/{service_id}" for service_id in ids]
    cold_searches = cold_search_paths("/search", 3000, 1)
    base = f"http://127.0.0.1:{args.port}"
    runs: dict = {name: {"latency": [], "throughput": []} for name in trees}

    for number in range(args.rounds):
        order = list(trees) if number % 2 == 0 else list(reversed(trees))
        for name in order:
            tree, index = trees[name]
            if "assembly" not in skip:
                runs[name].setdefault("assembly", []).append(
                    {"samples": assembly(tree, args.content, index, args.reps, work),
                     "load": round(os.getloadavg()[0], 1)})
            if "latency" not in skip:
                server = start(tree, args.content, index, args.port, 8, 0, work)
                try:
                    runs[name]["latency"].append({"samples": latency(args.port, args.reps),
                                                  "load": round(os.getloadavg()[0], 1)})
                finally:
                    stop(server)
                print(f"round {number + 1} {name}: latency, load {os.getloadavg()[0]:.1f}", file=sys.stderr)
            if "throughput" in skip:
                continue
            for count in threads:
                server = start(tree, args.content, index, args.port, count, None, work)
                rows = {}
                try:
                    def measure(row: str, paths: list[str], warm: bool, rows: dict = rows) -> None:
                        if only_rows and not any(word in row for word in only_rows):
                            return
                        if warm:
                            for path in paths:
                                fetch(base + path)
                        rows[row] = {**run_wrk(base, paths, args.duration, args.connections, work),
                                     "load": round(os.getloadavg()[0], 1)}

                    measure("service pages (warm)", warm_services, True)
                    measure("service pages, each once (cold)", cold_services, False)
                    measure("results page, query mix (warm)", mix_paths("/search"), True)
                    measure("results page, every search different (cold)", cold_searches, False)
                    measure("/healthz", ["/healthz"], False)
                finally:
                    stop(server)
                runs[name]["throughput"].append({"threads": count, "rows": rows})
                print(f"round {number + 1} {name} threads={count}: "
                      + ", ".join(f"{row} {found['requests_per_s']:.0f}/s" for row, found in rows.items()),
                      file=sys.stderr)

    if "assembly" not in skip:
        print_assembly(runs)
    if "latency" not in skip:
        print_latency(runs)
    if "throughput" not in skip:
        print_throughput(runs, threads)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    settings = {key: str(value) for key, value in vars(args).items()}
    args.out.write_text(json.dumps({"args": settings, "runs": runs}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
