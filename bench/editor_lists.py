"""What the editor's lists and the review dashboard cost at 1,000 and 10,000 services, before and after the
index of the entry files (app/editorial/entry_index.py), side by side in one run.

    python -m bench.editor_lists [--sizes 1000,10000] [--reps 15] [--rounds 2] [--before main]

For each size, generates a content folder (bench.generate), then times requests
through the Flask test client (an editor signed in, CSRF on), as medians of
``--reps`` requests per round, in fresh processes that alternate ``--rounds``
times between

- **before**: the code of the git revision ``--before`` (default ``main``),
  extracted with ``git archive`` into a temporary folder and imported from there;
- **after**: the code of this working tree.

Each process warms up first (one request per page, which loads or indexes
the folder), so the figures are those of an editor clicking around. The
"after one file changed" row replaces one service file (as a ``git pull`` or
another editor's publish does) before each timed request of the list. Nothing
is asserted; numbers depend on the machine.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMAIL, PASSWORD = "bench-editor@example.org", "a benchmark passphrase"
PAGES = (  # (row, address); {org} is the first organisation
    ("services list", "/editor/services"),
    ("services list, search", "/editor/services?q=parent"),
    ("services list, page 20", "/editor/services?page=20"),
    ("organisations list", "/editor/organisations"),
    ("review dashboard", "/editor/reviews"),
    ("review dashboard, one organisation", "/editor/reviews?organisation={org}"),
)
CHANGED = "services list after one file changed"


# -- one process: imports ``app`` from wherever PYTHONPATH says ------------------------------------------

def _worker(content: Path, instance_dir: Path, index_dir: Path, reps: int) -> dict[str, list[float]]:
    from bs4 import BeautifulSoup

    from app import create_app
    from app.config import TestingConfig
    from app.editorial import accounts, instance

    db = instance.open_instance(instance_dir)
    if accounts.find_user(db, EMAIL) is None:
        accounts.create_user(db, EMAIL, PASSWORD, "editor", actor="bench")
    db.close()
    app = create_app(TestingConfig(content, index_dir, instance_dir))
    client = app.test_client()
    token = BeautifulSoup(client.get("/editor/sign-in").get_data(as_text=True), "html.parser").find(
        "input", attrs={"name": "csrf_token"})["value"]
    client.post("/editor/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    organisation = sorted(path.stem for path in (content / "organisations").glob("*.md"))[0]

    def timed(url: str) -> float:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed

    results: dict[str, list[float]] = {}
    for row, url in PAGES:
        url = url.format(org=organisation)
        timed(url)  # warm up: the first request loads (before) or indexes (after) the folder
        results[row] = [timed(url) for _ in range(reps)]
    victim = sorted((content / "services").glob("*.md"))[0]
    original = victim.read_text(encoding="utf-8")
    results[CHANGED] = []
    for number in range(max(3, reps // 3)):
        changed = victim.with_name(f".{victim.name}.bench")
        changed.write_text(original.replace("title: ", f"title: Changed {number} ", 1), encoding="utf-8")
        changed.replace(victim)  # as the editor and git write: a new file in its place
        results[CHANGED].append(timed("/editor/services"))
    victim.write_text(original, encoding="utf-8")
    return results


# -- the run -------------------------------------------------------------------------------------------

def _extract(revision: str, folder: Path) -> Path:
    """The tree of ``revision`` in ``folder``, with this tree's compiled catalogues (not committed)."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    shutil.rmtree(folder / "translations")
    shutil.copytree(ROOT / "translations", folder / "translations")
    return folder


def _run_worker(source: Path, content: Path, work: Path, reps: int) -> dict[str, list[float]]:
    environment = {**os.environ, "PYTHONPATH": str(source)}
    output = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", str(content),
                             str(work / "instance"), str(work / "index"), str(reps)],
                            cwd=source, env=environment, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", default="main", help="git revision to compare with (default main)")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.worker:
        content, instance_dir, index_dir, reps = options.worker
        print(json.dumps(_worker(Path(content), Path(instance_dir), Path(index_dir), int(reps))))
        return

    sys.path.insert(0, str(ROOT))
    from bench.generate import generate

    sizes = [int(size) for size in options.sizes.split(",")]
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    before_commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", options.before],
                                   capture_output=True, text=True).stdout.strip()
    table: dict[int, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as temporary:
        tmp = Path(temporary)
        sources = {"before": _extract(options.before, tmp / "before-src"), "after": ROOT}
        for size in sizes:
            content = generate(tmp / f"content-{size}", size)
            timings: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
            for round_number in range(options.rounds):
                for mode in ("before", "after") if round_number % 2 == 0 else ("after", "before"):
                    work = tmp / f"{mode}-{size}"
                    work.mkdir(exist_ok=True)
                    for row, values in _run_worker(sources[mode], content, work, options.reps).items():
                        timings[mode].setdefault(row, []).extend(values)
            table[size] = {mode: {row: statistics.median(values) for row, values in rows.items()}
                           for mode, rows in timings.items()}
            print(f"# {size:,} services done", file=sys.stderr)
    rows = [row for row, _ in PAGES] + [CHANGED]
    print(f"before = {options.before} ({before_commit}), after = this tree ({commit}); median ms of "
          f"{options.reps} x {options.rounds} requests; ratio = before / after\n")
    header = " | ".join(f"{size:,}: before | {size:,}: after | ratio" for size in sizes)
    print(f"| median ms | {header} |")
    print("|---|" + "---:|---:|---:|" * len(sizes))
    for row in rows:
        cells = []
        for size in sizes:
            before, after = table[size]["before"][row], table[size]["after"][row]
            cells.append(f"{before:.1f} | {after:.1f} | {before / after:.1f}x")
        print(f"| {row} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
