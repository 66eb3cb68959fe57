"""Publishing and checking, this tree against another checkout, alternating on the same content.

    python -m bench.generate /tmp/c10k --n 10000
    git archive main | tar -x -C /tmp/main-tree
    python -m bench.publish_side_by_side --content /tmp/c10k --baseline /tmp/main-tree --rounds 3

Each tree gets its own index folder (and so its own entry cache). First a full
publish in each tree, so both have a live release and a filled cache; then
``--rounds`` rounds, each: one service edited (``bench.generate.edit_one_service``),
a one-entry publish in each tree, then ``load_content`` with the cache (what
``earlyhelp check`` does) on the unchanged tree in each. The order of the two
trees swaps every round. With ``--full N``, N more rounds of a full publish
from cold (entry cache emptied, ``incremental=False``) in each tree, also
alternating. Every measurement runs in a fresh Python process started in the
tree's folder (wall time inside the process, with the imports that follow the first import of
`app`, whose share is also given apart: an editor publishing from the web process has them done
already; peak RSS of the process and of
its Whoosh workers, and the CPU seconds of the process and its workers, imports included)
and records the load average when it ended: the machine is shared, so compare medians within
one run and read the ratios; on a crowded machine the CPU seconds vary less than the wall time.

At 100,000 services a first full publish takes many minutes: with ``--work DIR``
the index folders are ``DIR/baseline`` and ``DIR/this`` and are kept, so a run
can start from releases made once (copy one index folder's ``releases/`` and
``current`` into both with ``cp -al``; the first publish is then a one-entry
one, which fills each tree's entry cache).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run inside the tree's folder, so `app` is that tree's code; only APIs both trees have.
_PHASE = r"""
import json, resource, shutil, sys, time
from pathlib import Path
kind, content, index, processes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
from app.content.entry_cache import CACHE_FOLDER
started = time.perf_counter()
if kind == "check":
    from app.content import load_content
    imported = time.perf_counter()
    content_set = load_content(content, cache_dir=Path(index) / CACHE_FOLDER)
    extra = {"errors": len(content_set.errors), "services": len(content_set.services)}
else:
    from app.publishing.publish import publish
    imported = time.perf_counter()
    if kind == "full":
        shutil.rmtree(Path(index) / CACHE_FOLDER, ignore_errors=True)
        started = imported = time.perf_counter()
    result = publish(content, index, processes=processes, incremental=kind != "full")
    extra = {"built": result.manifest.get("built"), "services": result.manifest["counts"]["services"]}
seconds = time.perf_counter() - started
usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print(json.dumps({"seconds": round(seconds, 3), "imports": round(imported - started, 3), **extra,
                  "cpu": round(sum(u.ru_utime + u.ru_stime for u in usage), 3),
                  "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "rss_workers_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}))
"""


def run(tree: Path, kind: str, content: Path, index: Path, processes: int) -> dict:
    completed = subprocess.run([sys.executable, "-c", _PHASE, kind, str(content), str(index), str(processes)],
                               cwd=tree, capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(tree)})
    if completed.returncode:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"{kind} in {tree} failed")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["load"] = round(os.getloadavg()[0], 1)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the code to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--full", type=int, default=0, help="rounds of full publishes from cold")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--work", type=Path, help="keep the index folders here (DIR/baseline, DIR/this)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "publish-side-by-side.json")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.generate import edit_one_service

    trees = {"baseline": args.baseline.resolve(), "this": ROOT}
    work = args.work.resolve() if args.work else Path(tempfile.mkdtemp(prefix="ehd-side-by-side-"))
    indexes = {name: work / name for name in trees}
    results: dict[str, dict[str, list[dict]]] = {name: {} for name in trees}

    def measure(kind: str, order: list[str]) -> None:
        for name in order:
            result = run(trees[name], kind, args.content, indexes[name], args.processes)
            results[name].setdefault(kind, []).append(result)
            print(f"{kind:10} {name:8} {json.dumps(result)}", flush=True)

    try:
        measure("first", ["baseline", "this"])   # a live release and a filled cache in each
        for number in range(args.rounds):
            order = ["baseline", "this"] if number % 2 == 0 else ["this", "baseline"]
            edit_one_service(args.content)
            measure("one-entry", order)
            measure("check", order)
        for number in range(args.full):
            measure("full", ["baseline", "this"] if number % 2 == 0 else ["this", "baseline"])
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)

    print("\n| measure | baseline s (runs) | this s (runs) | median ratio | load average |")
    print("|---|---|---|---:|---|")
    for kind in results["this"]:
        if kind == "first":
            continue
        before, after = ([run["seconds"] for run in results[name][kind]] for name in ("baseline", "this"))
        loads = [run["load"] for name in trees for run in results[name][kind]]
        ratio = statistics.median(before) / statistics.median(after)
        print(f"| {kind} | {statistics.median(before):.2f} ({', '.join(map(str, before))}) "
              f"| {statistics.median(after):.2f} ({', '.join(map(str, after))}) | {ratio:.1f}x "
              f"| {min(loads)}-{max(loads)} |")
    print("\nThe same without the imports, medians:")
    for kind in results["this"]:
        if kind != "first":
            before, after = ([round(run["seconds"] - run.get("imports", 0), 3) for run in results[name][kind]]
                             for name in ("baseline", "this"))
            print(f"| {kind} | {statistics.median(before):.2f} ({', '.join(map(str, before))}) "
                  f"| {statistics.median(after):.2f} ({', '.join(map(str, after))}) |")
    print("\nCPU seconds of each process and its workers (imports included), medians:")
    for kind in results["this"]:
        if kind != "first":
            before, after = ([run.get("cpu", 0) for run in results[name][kind]]
                             for name in ("baseline", "this"))
            print(f"| {kind} | {statistics.median(before):.2f} ({', '.join(map(str, before))}) "
                  f"| {statistics.median(after):.2f} ({', '.join(map(str, after))}) |")
    for name in trees:
        rss = {kind: max(run["rss_mb"] for run in runs) for kind, runs in results[name].items()}
        workers = {kind: max(run["rss_workers_mb"] for run in runs) for kind, runs in results[name].items()}
        print(f"peak RSS MB, {name}: {rss}; Whoosh workers: {workers}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"content": str(args.content), "results": results}, indent=1))


if __name__ == "__main__":
    main()
