"""How long the OWL RL closure takes: the fast engine and owlrl, side by side, as graphs grow.

Measures, for the shipped graph and for synthetic graphs of about 10k, 100k and 1M triples
(:mod:`synthetic`, seed 0):

* the fast engine (:mod:`imtkg.reasoning.rl_reasoner`): the median of ``--runs`` runs of
  :func:`imtkg.reasoning.closure.reason` (reading the asserted graphs, closure, noise filter,
  inconsistency checks) and the number of inferred triples;
* owlrl, the reference: one run (the median of ``--runs`` on the shipped graph), in a child
  process stopped after ``--owlrl-budget`` seconds; skipped without running when it was
  stopped at the previous size, or when its time extrapolated linearly from the previous size
  (a lower bound: owlrl re-reads the whole graph in every cycle) exceeds twice the budget;
* whether both give the same inferred graph (a digest of the sorted N-Triples);
* the start-up of the server on the shipped graph (a fresh process: imports and
  :func:`imtkg.web.app.create_app`), cold (empty closure cache) and warm.

Run from the repository root::

    python bench/reasoning.py                          # shipped, 10k, 100k, 1M
    python bench/reasoning.py --sizes 10000 100000 --runs 5 --owlrl-budget 300 --json out.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Dataset, Graph

if not __package__:  # run as `python bench/reasoning.py`: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import generate, triple_count  # noqa: E402
from imtkg.data.dataset import load_dataset  # noqa: E402
from imtkg.reasoning.closure import reason  # noqa: E402

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
#: how owlrl's time is assumed to grow at least with the size, to skip hopeless runs
OWLRL_GROWTH = 1.0

STARTUP_SCRIPT = """
import json, time
started = time.perf_counter()
from imtkg.web.app import close_app, create_app
if __name__ == "__main__":
    app = create_app({"WORKERS": 1})
    elapsed = time.perf_counter() - started
    close_app(app)
    print(json.dumps({"seconds": elapsed}))
"""


def digest(triples: set) -> str:
    """Return a digest of a set of triples, independent of their order."""
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    lines = sorted(graph.serialize(format="nt").splitlines())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def time_fast(dataset: Dataset, runs: int) -> dict:
    """Time the fast engine ``runs`` times; return the median, the count and the digest."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = reason(dataset, engine="fast")
        times.append(time.perf_counter() - started)
    return {
        "median_s": statistics.median(times),
        "runs": runs,
        "inferred": len(result.inferred),
        "rounds": result.closure.rounds,
        "inconsistencies": len(result.violations),
        "digest": digest(result.inferred),
    }


_DATASET: Dataset | None = None  # the dataset a forked owlrl child reasons over


def _owlrl_child(connection, runs: int) -> None:
    """Run owlrl on the inherited dataset and send back the times, count and digest."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = reason(_DATASET, engine="owlrl")
        times.append(time.perf_counter() - started)
    connection.send((times, len(result.inferred), digest(result.inferred)))


def time_owlrl(dataset: Dataset, runs: int, budget: float) -> dict:
    """Time owlrl in a forked child, stopped after ``budget`` seconds."""
    global _DATASET
    _DATASET = dataset
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_owlrl_child, args=(child, runs), daemon=True)
    started = time.perf_counter()
    process.start()
    if not parent.poll(budget * runs):
        process.kill()
        process.join()
        return {"status": "stopped", "after_s": time.perf_counter() - started}
    times, count, check = parent.recv()
    process.join()
    median = statistics.median(times)
    return {"status": "done", "median_s": median, "runs": runs, "inferred": count, "digest": check}


def startup_seconds(cache_dir: Path) -> float:
    """Return the start-up time of a fresh server process with ``cache_dir`` as closure cache."""
    env = {**os.environ, "IMTKG_CACHE_DIR": str(cache_dir)}
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(STARTUP_SCRIPT)
    try:
        output = subprocess.run(
            [sys.executable, script.name], env=env, capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(script.name)
    return json.loads(output.strip().splitlines()[-1])["seconds"]


def measure(name: str, dataset: Dataset, args, previous: dict | None) -> dict:
    """Measure one graph with both engines."""
    size = triple_count(dataset)
    row = {"graph": name, "triples": size, "fast": time_fast(dataset, args.runs)}
    owlrl_runs = args.runs if name == "shipped" else 1
    predicted = None
    if previous is not None and previous["owlrl"].get("status") == "done":
        growth = (size / previous["triples"]) ** OWLRL_GROWTH
        predicted = previous["owlrl"]["median_s"] * growth
    elif previous is not None:
        predicted = float("inf")
    if predicted is not None and predicted > 2 * args.owlrl_budget:
        row["owlrl"] = {"status": "skipped", "predicted_s": predicted}
    else:
        row["owlrl"] = time_owlrl(dataset, owlrl_runs, args.owlrl_budget)
    if row["owlrl"].get("status") == "done":
        row["same"] = row["owlrl"]["digest"] == row["fast"]["digest"]
    return row


def owlrl_text(owlrl: dict, budget: float) -> str:
    """Describe owlrl's outcome in a table cell."""
    if owlrl["status"] == "done":
        return f"{owlrl['median_s']:9.2f} s"
    if owlrl["status"] == "stopped":
        return f"> {budget:.0f} s (stopped)"
    predicted = owlrl["predicted_s"]
    if predicted == float("inf"):
        return "skipped (stopped before)"
    return f"skipped (~{predicted:.0f} s)"


def main() -> None:
    """Run the benchmark and print a table (and write JSON if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(DEFAULT_SIZES))
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--owlrl-budget", type=float, default=300.0, help="seconds per owlrl run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up measure")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()

    rows, previous = [], None
    header = f"{'graph':<16}{'triples':>10}{'inferred':>10}{'fast (median)':>16}  {'owlrl':<24}same"
    print(header, flush=True)
    graphs = [("shipped", load_dataset, None)] + [
        (f"synthetic {n // 1000}k", generate, n) for n in args.sizes
    ]
    for name, make, size in graphs:
        started = time.perf_counter()
        dataset = make() if size is None else make(size, args.seed)
        generated = time.perf_counter() - started
        row = measure(name, dataset, args, previous)
        row["generation_s"] = generated
        rows.append(row)
        previous = row
        same = {True: "yes", False: "NO"}.get(row.get("same"), "-")
        owlrl = owlrl_text(row["owlrl"], args.owlrl_budget)
        print(
            f"{name:<16}{row['triples']:>10}{row['fast']['inferred']:>10}"
            f"{row['fast']['median_s']:>14.3f} s  {owlrl:<24}{same}",
            flush=True,
        )
        del dataset
    result = {"runs": args.runs, "owlrl_budget_s": args.owlrl_budget, "graphs": rows}
    if not args.no_startup:
        with tempfile.TemporaryDirectory() as cache:
            cold = startup_seconds(Path(cache))
            warm = startup_seconds(Path(cache))
        result["startup"] = {"cold_s": cold, "warm_s": warm}
        print(f"server start-up on the shipped graph: {cold:.2f} s cold, {warm:.2f} s warm (cache)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
