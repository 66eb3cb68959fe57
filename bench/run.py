"""Benchmark publishing and searching, with SQLite FTS5 as the reference.

    python -m bench.run --sizes 1000,10000 [--out bench/out] [--reps 30] [--profile]

For each size, in a temporary folder: generate content (bench.generate),
time a full publish (processes=2, and processes=1 for sizes <= 10000), edit
one service and publish again, then time server-side searches on the live
release (Whoosh engine, facets always computed) and the same searches against
an FTS5 table built from the release database. Every phase runs in a fresh
Python process so that its peak RSS (``ru_maxrss``) is its own.

Prints Markdown tables and writes ``<out>/results-<sizes>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_PAGE = 20

# A fixed mix of requests, as URL parameters (what /search receives).
QUERIES: dict[str, dict[str, list[str]]] = {
    "single word": {"q": ["counselling"]},
    "two words": {"q": ["debt advice"]},
    "quoted phrase": {"q": ['"speech and language"']},
    "misspelling": {"q": ["councelling"]},
    "query + need/hub/age": {"q": ["parenting group"], "need": ["parenting"], "hub": ["east"],
                             "age": ["3-5"]},
    "browse need+hub (no q)": {"need": ["food-essentials"], "hub": ["east"]},
    "common word, page 3": {"q": ["support"], "page": ["3"]},
}
FACET_GROUPS = ("need", "age", "hub", "level", "free", "delivery", "language", "access")


# -- helpers ---------------------------------------------------------------
def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # KiB on Linux


def summarise(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]  # nearest rank
    return {"median_ms": round(statistics.median(ordered) * 1000, 3), "p95_ms": round(p95 * 1000, 3),
            "min_ms": round(ordered[0] * 1000, 3), "n": len(ordered)}


def time_queries(run_one, reps: int) -> dict[str, dict]:
    """One warm-up pass, then ``reps`` passes over the mix, queries interleaved. Also this
    process's CPU time per query (``cpu_median_ms``: on a shared machine, less noisy than the
    wall clock; of no use for the HTTP phase, whose work is in the server's process)."""
    samples: dict[str, list[float]] = {name: [] for name in QUERIES}
    cpu: dict[str, list[float]] = {name: [] for name in QUERIES}
    info = {name: run_one(name, params) for name, params in QUERIES.items()}  # warm-up
    for _ in range(reps):
        for name, params in QUERIES.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            run_one(name, params)
            samples[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    return {name: {**summarise(samples[name]), "cpu_median_ms": round(statistics.median(cpu[name]) * 1000, 3),
                   **info[name]} for name in QUERIES}


# -- phases (each runs in its own process) ---------------------------------
def phase_generate(content: str, n: int, seed: int) -> dict:
    from bench.generate import generate

    started = time.perf_counter()
    generate(Path(content), n, seed)
    return {"seconds": round(time.perf_counter() - started, 3)}


def phase_publish(content: str, index: str, processes: int, incremental: bool = False,
                  profile: str | None = None) -> dict:
    from app.content.entry_cache import CACHE_FOLDER
    from app.publishing.publish import publish

    if not incremental:
        # A full publish is timed from cold: no entry file parsed by an earlier run is reused.
        shutil.rmtree(Path(index) / CACHE_FOLDER, ignore_errors=True)

    profiler = None
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    result = publish(content, index, processes=processes, incremental=incremental)
    seconds = time.perf_counter() - started
    if profiler:
        profiler.disable()
        _write_profile(profiler, profile)
    return {"seconds": round(seconds, 3), "release": result.release_id,
            "services": result.manifest["counts"]["services"], "built": result.manifest.get("built", "full"),
            "rss_children_mb": peak_rss_mb(resource.RUSAGE_CHILDREN)}


def phase_check(content: str, index: str) -> dict:
    """What `earlyhelp check` does on a tree unchanged since the last publish (its parsed files cached)."""
    from app.content import load_content
    from app.content.entry_cache import CACHE_FOLDER

    started = time.perf_counter()
    content_set = load_content(content, cache_dir=Path(index) / CACHE_FOLDER)
    return {"seconds": round(time.perf_counter() - started, 3), "errors": len(content_set.errors)}


def phase_edit(content: str) -> dict:
    from bench.generate import edit_one_service

    return {"edited": edit_one_service(Path(content)).name}


def phase_whoosh(index: str, reps: int, profile: str | None = None) -> dict:
    from app.publishing.releases import ReleaseStore
    from app.release.live import open_release
    from app.search.request import parse_request

    rss_before = peak_rss_mb()
    started = time.perf_counter()
    opened = open_release(ReleaseStore(index).current())
    open_seconds = time.perf_counter() - started
    rss_open = peak_rss_mb()
    engine = opened.engine

    def run_one(name: str, params: dict) -> dict:
        result = engine.search(parse_request(params, engine.vocabulary))
        assert set(result.facets) == set(FACET_GROUPS)  # facets are always computed
        return {"total": result.total, "hits": len(result.hits), "did_you_mean": result.did_you_mean,
                "first": result.hits[0].id if result.hits else None}

    timings = time_queries(run_one, reps)
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(max(3, reps // 3)):
            for name, params in QUERIES.items():
                run_one(name, params)
        profiler.disable()
        _write_profile(profiler, profile)
    return {"open_seconds": round(open_seconds, 3), "rss_before_open_mb": rss_before,
            "rss_after_open_mb": rss_open, "queries": timings}


def phase_http(content: str, index: str, reps: int, port: int) -> dict:
    """The query mix over HTTP against ``earlyhelp serve`` (waitress), as the HTML results page
    and the JSON API, with the rendered-page store off so every request searches and renders."""
    import http.client
    import urllib.parse

    env = {**os.environ, "EARLYHELP_CONTENT_DIR": content, "EARLYHELP_INDEX_DIR": index,
           "EARLYHELP_INSTANCE_DIR": str(Path(index).parent / "instance"), "EARLYHELP_RENDERED_PAGES_MB": "0"}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "earlyhelp"), "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for _ in range(600):
            try:
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                break
            except OSError:
                connection.close()
                time.sleep(0.5)

        def get(path: str) -> bytes:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200, (path, response.status)
            return body

        found = {}
        for base in ("/search", "/api/search"):
            def run_one(name: str, params: dict, base=base) -> dict:
                body = get(base + "?" + urllib.parse.urlencode(params, doseq=True))
                return {"bytes": len(body)}

            found["page" if base == "/search" else "api"] = time_queries(run_one, reps)
        return found
    finally:
        server.terminate()
        server.wait(timeout=30)


def phase_fts_build(index: str, fts_path: str) -> dict:
    """An FTS5 table (sqlite-utils ``enable_fts``, porter) over the release's services, with link tables."""
    import sqlite_utils

    from app.publishing.releases import ReleaseStore

    source = ReleaseStore(index).current().path / "directory.db"
    started = time.perf_counter()
    Path(fts_path).unlink(missing_ok=True)
    db = sqlite_utils.Database(fts_path)
    conn = db.conn
    conn.execute("ATTACH DATABASE ? AS src", (f"file:{source}?mode=ro",))
    with conn:
        conn.execute("""CREATE TABLE services (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, title TEXT,
                        title_sort TEXT, summary TEXT, body TEXT, keywords TEXT)""")
        conn.execute("""INSERT INTO services (id, title, title_sort, summary, body, keywords)
                        SELECT s.id, s.title, lower(s.title), s.summary, s.body_markdown,
                               (SELECT group_concat(keyword, ' . ') FROM src.service_keywords k
                                WHERE k.service_id = s.id)
                        FROM src.services s ORDER BY lower(s.title)""")
        conn.execute("CREATE INDEX services_title_sort ON services(title_sort)")
        links = {
            "need": "SELECT service_id, need_id AS value FROM src.service_needs",
            "age": "SELECT service_id, age_band_id AS value FROM src.service_age_bands",
            # As the Whoosh index: listed hubs, venue hubs, every hub when borough-wide.
            "hub": """SELECT service_id, hub_id AS value FROM src.service_hubs
                      UNION SELECT service_id, hub_id FROM src.venues WHERE hub_id IS NOT NULL
                      UNION SELECT s.id, h.id FROM src.services s, src.hubs h WHERE s.borough_wide""",
            "level": "SELECT service_id, CAST(level_id AS TEXT) AS value FROM src.service_levels",
            "free": "SELECT id AS service_id, '1' AS value FROM src.services WHERE free",
            "delivery": "SELECT service_id, delivery AS value FROM src.service_delivery",
            "language": "SELECT service_id, language AS value FROM src.service_languages",
            "access": "SELECT service_id, access_route AS value FROM src.service_access",
        }
        for group, select in links.items():
            conn.execute(f"CREATE TABLE link_{group} (sid INTEGER, value TEXT, PRIMARY KEY (value, sid))"
                         " WITHOUT ROWID")
            conn.execute(f"""INSERT OR IGNORE INTO link_{group} (sid, value)
                             SELECT s.rowid, l.value FROM ({select}) AS l
                             JOIN services s ON s.id = l.service_id""")
            conn.execute(f"CREATE INDEX link_{group}_sid ON link_{group}(sid, value)")
    conn.execute("DETACH DATABASE src")
    db["services"].enable_fts(["title", "summary", "body", "keywords"], tokenize="porter",
                              create_triggers=False)
    conn.execute("ANALYZE")
    conn.commit()
    count = conn.execute("SELECT count(*) FROM services").fetchone()[0]
    db.close()
    return {"seconds": round(time.perf_counter() - started, 3), "services": count,
            "bytes": os.path.getsize(fts_path)}


def fts_match(text: str) -> str:
    """What a visitor typed as an FTS5 expression: quoted phrases kept, other words OR-ed (as Whoosh)."""
    import re

    phrases = re.findall(r'"([^"]*)"', text)
    loose = re.sub(r'"[^"]*"', " ", text).replace('"', " ")
    parts = [f'"{p}"' for p in phrases if p.strip()] + [f'"{w}"' for w in re.findall(r"\w+", loose)]
    return " OR ".join(parts)


class FtsSearch:
    """The reference: the same request answered with FTS5, link tables and GROUP BY facet counts."""

    def __init__(self, path: str):
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def search(self, params: dict) -> dict:
        text = " ".join(params.get("q", [])).strip()
        page = int((params.get("page") or ["1"])[-1])
        filters = {group: params[group] for group in FACET_GROUPS if params.get(group)}

        # m: the text matches (every service when browsing), with bm25 scores;
        # f: m plus one 0/1 flag per chosen filter group, computed once per statement.
        # (bm25 is only computed in the statement that orders the hits.)
        def with_clause(scored: bool) -> str:
            if not text:
                return "WITH m AS MATERIALIZED (SELECT rowid AS sid, 0.0 AS score FROM services)"
            score = "bm25(services_fts, 4.0, 2.0, 1.0, 3.0)" if scored else "0.0"
            return (f"WITH m AS MATERIALIZED (SELECT rowid AS sid, {score} AS score"
                    " FROM services_fts WHERE services_fts MATCH ?)")

        args: list = [fts_match(text)] if text else []
        order = "f.score" if text else "s.title_sort"
        flags = "".join(f", EXISTS (SELECT 1 FROM link_{group} l WHERE l.sid = m.sid AND l.value IN "
                        f"({','.join('?' * len(values))})) AS f_{group}" for group, values in filters.items())
        args.extend(value for values in filters.values() for value in values)
        filtered = f", f AS MATERIALIZED (SELECT m.sid, m.score{flags} FROM m)"

        def where(skip: str | None = None) -> str:
            return " AND ".join(["1", *(f"f.f_{group}" for group in filters if group != skip)])

        hits = self.conn.execute(
            f"{with_clause(True)}{filtered} SELECT s.id, s.title, s.summary"
            f" FROM f JOIN services s ON s.rowid = f.sid"
            f" WHERE {where()} ORDER BY {order} LIMIT ? OFFSET ?",
            [*args, PER_PAGE, (page - 1) * PER_PAGE]).fetchall()
        # Total and facets in one statement. Facets: for each group, the counts over
        # the matches filtered by every *other* group (as the engine does).
        parts = [f"SELECT '', '', count(*) FROM f WHERE {where()}"]
        parts += [f"SELECT '{group}', l.value, count(*) FROM f CROSS JOIN link_{group} l ON l.sid = f.sid"
                  f" WHERE {where(group)} GROUP BY l.value" for group in FACET_GROUPS]
        facets: dict[str, dict[str, int]] = {group: {} for group in FACET_GROUPS}
        total = 0
        statement = f"{with_clause(False)}{filtered} {' UNION ALL '.join(parts)}"
        for group, value, count in self.conn.execute(statement, args):
            if group:
                facets[group][value] = count
            else:
                total = count
        return {"total": total, "hits": hits, "facets": facets}


def phase_fts(fts_path: str, reps: int) -> dict:
    rss_before = peak_rss_mb()
    search = FtsSearch(fts_path)

    def run_one(name: str, params: dict) -> dict:
        result = search.search(params)
        return {"total": result["total"], "hits": len(result["hits"]),
                "first": result["hits"][0][0] if result["hits"] else None}

    timings = time_queries(run_one, reps)
    return {"rss_before_mb": rss_before, "queries": timings}


def _write_profile(profiler, path: str) -> None:
    import io
    import pstats

    profiler.dump_stats(path + ".prof")
    for key in ("cumulative", "tottime"):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats(key).print_stats(35)
        with open(f"{path}.{key}.txt", "w", encoding="utf-8") as handle:
            handle.write(stream.getvalue())


PHASES = {"generate": phase_generate, "publish": phase_publish, "edit": phase_edit, "check": phase_check,
          "whoosh": phase_whoosh, "http": phase_http, "fts_build": phase_fts_build, "fts": phase_fts}


def run_phase(name: str, **kwargs) -> dict:
    """Run a phase in a fresh interpreter; returns its JSON result plus wall time and peak RSS."""
    command = [sys.executable, "-m", "bench.run", "--phase", name, "--args", json.dumps(kwargs)]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if completed.returncode:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"phase {name} failed ({completed.returncode})")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["process_seconds"] = round(time.perf_counter() - started, 3)
    return result


# -- orchestration ---------------------------------------------------------
def bench_size(n: int, args) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"ehd-bench-{n}-", dir=args.tmp))
    content, index, fts_path = work / "content", work / "index", work / "fts.db"
    result: dict = {"n": n, "workdir": str(work)}
    profile_base = str(Path(args.out).resolve() / f"profile-{n}") if args.profile else None
    try:
        log(f"[{n}] generating content")
        result["generate"] = run_phase("generate", content=str(content), n=n, seed=args.seed)

        def publishes(label: str, processes: int, edit: bool = False, profile: str | None = None) -> dict:
            # Full publishes rebuild from scratch; the one-entry publish may be incremental.
            runs = []
            for number in range(args.publish_runs):
                if edit:
                    run_phase("edit", content=str(content))
                log(f"[{n}] {label}, processes={processes} ({number + 1}/{args.publish_runs})")
                runs.append(run_phase("publish", content=str(content), index=str(index), processes=processes,
                                      incremental=edit, profile=profile if number == 0 else None))
            # The median run, with every run's seconds kept (the machine is shared and noisy).
            chosen = sorted(runs, key=lambda run: run["seconds"])[(len(runs) - 1) // 2]
            return {**chosen, "runs_seconds": [run["seconds"] for run in runs]}

        result["publish_p2"] = publishes("full publish", 2)
        if n <= 10_000:
            result["publish_p1"] = publishes("full publish", 1,
                                             profile=profile_base and profile_base + "-publish-p1")
        result["publish_one_entry"] = publishes("one-entry publish", 2, edit=True)
        log(f"[{n}] check, unchanged tree")
        checks = [run_phase("check", content=str(content), index=str(index))
                  for _ in range(args.publish_runs)]
        result["check_unchanged"] = {**sorted(checks, key=lambda run: run["seconds"])[(len(checks) - 1) // 2],
                                     "runs_seconds": [run["seconds"] for run in checks]}
        log(f"[{n}] Whoosh searches")
        result["whoosh"] = run_phase("whoosh", index=str(index), reps=args.reps,
                                     profile=profile_base and profile_base + "-search")
        log(f"[{n}] searches over HTTP")
        result["http"] = run_phase("http", content=str(content), index=str(index), reps=args.reps,
                                   port=args.port)
        log(f"[{n}] building FTS5 reference")
        result["fts_build"] = run_phase("fts_build", index=str(index), fts_path=str(fts_path))
        log(f"[{n}] FTS5 searches")
        result["fts"] = run_phase("fts", fts_path=str(fts_path), reps=args.reps)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return result


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def environment() -> dict:
    import whoosh

    import app

    app_root = Path(app.__file__).resolve().parent.parent  # the code being measured

    def git(*command: str) -> str:
        try:
            return subprocess.run(["git", *command], cwd=app_root, capture_output=True,
                                  text=True).stdout.strip()
        except OSError:
            return ""

    return {"python": platform.python_version(), "whoosh": ".".join(map(str, whoosh.__version__)),
            "sqlite": sqlite3.sqlite_version, "cpus": os.cpu_count(), "platform": platform.platform(),
            "load_average": os.getloadavg(), "git_head": git("rev-parse", "--short", "HEAD"),
            "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "date": time.strftime("%Y-%m-%d %H:%M:%S")}


def markdown(results: list[dict]) -> str:
    lines = ["| services | generate s | publish p=2 s | publish p=1 s | one-entry publish s (how) | "
             "publish peak RSS MB (main / workers) | open release s | search peak RSS MB | FTS5 build s |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        p2, p1 = r["publish_p2"], r.get("publish_p1")
        p1_text = f"{p1['seconds']:.2f}" if p1 else "–"
        lines.append(f"| {r['n']:,} | {r['generate']['seconds']:.1f} | {p2['seconds']:.2f} | {p1_text} |"
                     f" {r['publish_one_entry']['seconds']:.2f} ({r['publish_one_entry']['built']}) |"
                     f" {p2['rss_mb']:.0f} / {p2['rss_children_mb']:.0f} |"
                     f" {r['whoosh']['open_seconds']:.2f} | {r['whoosh']['rss_mb']:.0f} |"
                     f" {r['fts_build']['seconds']:.2f} |")
    lines += ["", "| services | full publish p=2 s (runs) | one-entry publish s (runs) | "
              "check, unchanged s (runs) |", "|---:|---:|---:|---:|"]
    for r in results:
        cells = [r[key] for key in ("publish_p2", "publish_one_entry", "check_unchanged") if key in r]
        texts = [f"{cell['seconds']:.2f} ({', '.join(f'{run:.2f}' for run in cell['runs_seconds'])})"
                 for cell in cells]
        lines.append(f"| {r['n']:,} | " + " | ".join(texts) + " |")
    lines += ["", "| services | query | Whoosh median ms | Whoosh p95 ms | FTS5 median ms | FTS5 p95 ms | "
              "ratio (median) | HTTP page median / p95 ms | HTTP API median / p95 ms | ratio HTTP page p95 / "
              "FTS5 p95 | hits Whoosh / FTS5 |", "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        for name in QUERIES:
            w, f = r["whoosh"]["queries"][name], r["fts"]["queries"][name]
            page, api = r["http"]["page"][name], r["http"]["api"][name]
            ratio = w["median_ms"] / f["median_ms"] if f["median_ms"] else float("inf")
            http_ratio = page["p95_ms"] / f["p95_ms"] if f["p95_ms"] else float("inf")
            lines.append(f"| {r['n']:,} | {name} | {w['median_ms']:.2f} | {w['p95_ms']:.2f} | "
                         f"{f['median_ms']:.2f} | {f['p95_ms']:.2f} | {ratio:.1f}x |"
                         f" {page['median_ms']:.1f} / {page['p95_ms']:.1f} |"
                         f" {api['median_ms']:.1f} / {api['p95_ms']:.1f} | {http_ratio:.1f}x |"
                         f" {w['total']:,} / {f['total']:,} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated service counts (e.g. 100000)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--reps", type=int, default=30, help="timed passes over the query mix")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--publish-runs", type=int, default=3,
                        help="publishes of each kind per size; the median is reported (default 3)")
    parser.add_argument("--tmp", default=None, help="where to make the temporary folders")
    parser.add_argument("--port", type=int, default=8150, help="port of the server searched over HTTP")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--profile", action="store_true",
                        help="also write cProfile output for publish (p=1) and the search mix to --out")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:  # child process: run one phase, print its JSON on the last line
        result = PHASES[args.phase](**json.loads(args.args))
        result["rss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return

    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    Path(args.out).mkdir(parents=True, exist_ok=True)
    report = {"environment": environment(), "reps": args.reps, "queries": QUERIES, "results": []}
    for n in sizes:
        report["results"].append(bench_size(n, args))
        out = Path(args.out) / f"results-{'-'.join(map(str, sizes))}.json"
        out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    report["environment"]["load_average_end"] = os.getloadavg()
    out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(markdown(report["results"]))
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
