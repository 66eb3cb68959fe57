"""Throughput and latency of the real server under load, measured with wrk.

    python -m bench.throughput --n 10000 [--duration 10] [--connections 16] [--threads 8]
    python -m bench.throughput --content DIR --index DIR      # an existing content folder / index

Starts ``earlyhelp serve`` (waitress, as ``make run`` does) on 127.0.0.1 on
generated content of ``--n`` services (bench.generate, published once), then
runs wrk (Debian package ``wrk``: ``make bench-deps`` installs it) against:

- the HTML results page, cycling through the query mix of ``bench.run``
  (``QUERIES``: words, a phrase, a misspelling, filters, browsing, a common
  word on page 3), first warm (every page of the mix asked for once before)
  and then "cold": every request a different search (the mix's words with a
  different hub and page each time, so the rendered-page cache never helps);
- service pages, cycling through ``--services`` different services, warm
  and cold (each service asked for once only);
- the JSON search API (the same mix) and ``/healthz`` for comparison;
- a conditional request (``If-None-Match`` with the page's ETag: 304).

Prints a Markdown table (requests/s, latency p50/p90/p99, errors) and writes
``<out>/throughput-<n>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

from bench.generate import HUBS as GENERATED_HUBS
from bench.run import QUERIES, environment

ROOT = Path(__file__).resolve().parent.parent
HUBS = [hub[0] for hub in GENERATED_HUBS]

LUA_PATHS = """
local paths = {}
local i = 0
init = function(args)
  for line in io.lines("%(file)s") do paths[#paths + 1] = line end
  i = math.random(#paths)
end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], %(headers)s)
end
"""


def require_wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is not installed: run `make bench-deps` (or `apt-get install wrk`, Debian's package).")
    return found


def query_path(base: str, params: dict[str, list[str]]) -> str:
    return base + "?" + urllib.parse.urlencode(params, doseq=True)


def mix_paths(base: str) -> list[str]:
    return [query_path(base, params) for params in QUERIES.values()]


def cold_search_paths(base: str, count: int, seed: int) -> list[str]:
    """``count`` different searches built from the mix: each words/filters of the mix with another
    hub filter and page, so no two requests ask for the same page."""
    rng = random.Random(seed)
    paths, seen = [], set()
    mix = list(QUERIES.values())
    while len(paths) < count:
        params = {key: list(values) for key, values in rng.choice(mix).items()}
        params["hub"] = [rng.choice(HUBS)]
        params["page"] = [str(rng.randint(1, 3))]
        params["per_page"] = [str(rng.randint(10, 50))]
        path = query_path(base, params)
        if path not in seen:
            seen.add(path)
            paths.append(path)
    return paths


def run_wrk(url: str, paths: list[str], duration: int, connections: int, work: Path,
            headers: dict[str, str] | None = None) -> dict:
    paths_file = work / f"paths-{abs(hash(tuple(paths))) % 10**8}.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    script = work / "paths.lua"
    lua_headers = "{" + ", ".join(f'["{k}"] = "{v}"' for k, v in (headers or {}).items()) + "}"
    script.write_text(LUA_PATHS % {"file": paths_file, "headers": lua_headers if headers else "nil"},
                      encoding="utf-8")
    output = subprocess.run(
        # A 10 s timeout: a slow answer is counted in the latencies, not as a socket error.
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
         "-s", str(script), url],
        capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)


def parse_wrk(output: str) -> dict:
    found: dict = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])}
    found["requests"] = int(re.search(r"(\d+) requests in", output)[1])
    for percent in ("50", "90", "99"):
        match = re.search(rf"^\s+{percent}%\s+(\S+)", output, re.M)
        found[f"p{percent}_ms"] = _ms(match[1]) if match else None
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    found["errors"] = (int(non_2xx[1]) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0)
    return found


def start_server(content: Path, index: Path, instance: Path, port: int, threads: int,
                 cache_mb: int | None) -> subprocess.Popen:
    env = {**os.environ, "EARLYHELP_CONTENT_DIR": str(content), "EARLYHELP_INDEX_DIR": str(index),
           "EARLYHELP_INSTANCE_DIR": str(instance)}
    if cache_mb is not None:
        env["EARLYHELP_RENDERED_PAGES_MB"] = str(cache_mb)
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "earlyhelp"), "serve", "--port", str(port),
                               "--threads", str(threads)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("the server did not start")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, b""


def service_ids(index: Path, count: int, seed: int) -> list[str]:
    from app.publishing.releases import ReleaseStore
    from app.release.reader import ReleaseReader

    reader = ReleaseReader(ReleaseStore(index).current())
    ids = [service_id for service_id, _ in reader.service_index()]
    reader.close()
    return random.Random(seed).sample(ids, min(count, len(ids)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000, help="services to generate (without --content)")
    parser.add_argument("--content", type=Path)
    parser.add_argument("--index", type=Path, help="an index folder already published from --content")
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (earlyhelp serve --threads)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--services", type=int, default=500, help="service pages in the warm mix")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    require_wrk()

    work = Path(tempfile.mkdtemp(prefix="earlyhelp-throughput-"))
    content, index = args.content, args.index
    if content is None:
        from bench.generate import generate

        content = work / "content"
        generate(content, args.n, args.seed)
    if index is None:
        from app.publishing.publish import publish

        index = work / "index"
        publish(content, index, processes=2)
    base = f"http://127.0.0.1:{args.port}"
    ids = service_ids(index, max(args.services, 20000), args.seed)
    warm_services = [f"/services/{service_id}" for service_id in ids[:args.services]]
    cold_services = [f"/services/{service_id}" for service_id in ids]
    gzip = {"Accept-Encoding": "gzip"}

    server = start_server(content, index, work / "instance", args.port, args.threads, None)
    results: dict[str, dict] = {}
    try:
        _, headers, _ = fetch(base + mix_paths("/search")[0])
        etag = headers.get("ETag")
        conditional = fetch(base + mix_paths("/search")[0], {"If-None-Match": etag or ""})[0]
        print(f"ETag {etag}; If-None-Match with it: {conditional}", file=sys.stderr)

        def measure(name: str, paths: list[str], warm: bool, headers: dict | None = None) -> None:
            if warm:
                for path in paths:
                    fetch(base + path, headers)
            results[name] = {**run_wrk(base, paths, args.duration, args.connections, work, headers),
                             "paths": len(paths), "warm": warm}
            print(f"{name}: {results[name]}", file=sys.stderr)

        measure("results page, query mix (warm)", mix_paths("/search"), True)
        measure("results page, query mix, gzip (warm)", mix_paths("/search"), True, gzip)
        measure("results page, every search different (cold)",
                cold_search_paths("/search", 3000, args.seed), False)
        measure(f"service pages, {len(warm_services)} (warm)", warm_services, True)
        measure(f"service pages, {len(warm_services)}, gzip (warm)", warm_services, True, gzip)
        measure("service pages, each once (cold)", cold_services, False)
        measure("search API, query mix (warm)", mix_paths("/api/search"), True)
        measure("results page, If-None-Match (304)", mix_paths("/search")[:1], True,
                {"If-None-Match": etag or ""})
        measure("/healthz", ["/healthz"], False)
    finally:
        stop_server(server)

    print(f"\n{args.connections} connections, {args.duration} s each, waitress threads={args.threads}\n")
    print("| request | paths | req/s | p50 ms | p90 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, found in results.items():
        print(f"| {name} | {found['paths']} | {found['requests_per_s']:.0f} | {found['p50_ms']} | "
              f"{found['p90_ms']} | {found['p99_ms']} | {found['errors']} |")
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"throughput-{args.n if args.content is None else 'custom'}.json"
    target.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "results": results,
                                  "environment": environment()}, indent=1), encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
