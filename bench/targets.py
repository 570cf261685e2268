"""The targets of issue 7, checked against a run's figures: met, or missed by how much.

Each target reads one figure of the results (:mod:`run`) and compares it with its bound; a
target whose figure was not measured in the run (its size was not run) is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A bound on one figure: ``figure(results)`` must be ``<=`` (or ``>=``) ``bound``."""

    name: str
    size: str
    bound: float
    unit: str
    at_most: bool
    figure: callable


def _startup(phase: str, key: str = "ready_s"):
    return lambda size: size["startup"].get(phase, {}).get(key)


def _query(query: str, server: str, level: str, key: str):
    return lambda size: size["queries"].get(query, {}).get(server, {}).get(level, {}).get(key)


def _throughput_ratio(query: str, peer: str, ours_as: str = "ours"):
    def figure(size):
        ours = _query(query, ours_as, "c8", "throughput_rps")(size)
        theirs = _query(query, peer, "c8", "throughput_rps")(size)
        return ours / theirs if ours and theirs else None

    return figure


def _largest_process(memory: dict) -> float | None:
    return memory.get("peak_largest_mb", memory.get("peak_main_mb"))


def _validation(size):
    if "validation" in size:
        return size["validation"].get("validate_s")
    return size["startup"].get("ours_cold", {}).get("validate")


TARGETS: tuple[Target, ...] = (
    Target("start-up, cold", "shipped", 2.0, "s", True, _startup("ours_cold")),
    Target("start-up, nothing changed", "shipped", 0.5, "s", True, _startup("ours_warm")),
    Target(
        "label lookup throughput at 8 / Oxigraph's",
        "shipped",
        0.5,
        "×",
        False,
        _throughput_ratio("label lookup", "oxigraph"),
    ),
    Target(
        "2-hop join throughput at 8 / Oxigraph's",
        "shipped",
        0.5,
        "×",
        False,
        _throughput_ratio("2-hop join", "oxigraph"),
    ),
    Target(
        "label lookup throughput at 8 / naive's",
        "shipped",
        10.0,
        "×",
        False,
        _throughput_ratio("label lookup", "naive"),
    ),
    Target(
        "2-hop join throughput at 8 / naive's",
        "shipped",
        10.0,
        "×",
        False,
        _throughput_ratio("2-hop join", "naive"),
    ),
    Target(
        "label lookup throughput at 8 / Oxigraph's, every query run (no-cache)",
        "shipped",
        0.5,
        "×",
        False,
        _throughput_ratio("label lookup", "oxigraph", "ours_uncached"),
    ),
    Target(
        "label lookup throughput at 8 / naive's, every query run (no-cache)",
        "shipped",
        10.0,
        "×",
        False,
        _throughput_ratio("label lookup", "naive", "ours_uncached"),
    ),
    Target(
        "2-hop join throughput at 8 / Oxigraph's, every query run (no-cache)",
        "shipped",
        0.5,
        "×",
        False,
        _throughput_ratio("2-hop join", "oxigraph", "ours_uncached"),
    ),
    Target(
        "2-hop join throughput at 8 / naive's, every query run (no-cache)",
        "shipped",
        10.0,
        "×",
        False,
        _throughput_ratio("2-hop join", "naive", "ours_uncached"),
    ),
    *(
        Target(
            f"{query} throughput at 8 / Oxigraph's, distinct requests",
            size,
            bound,
            "×",
            False,
            _throughput_ratio(query, "oxigraph_distinct", "ours_distinct"),
        )
        for size in ("shipped", "100k", "1m")
        for query, bound in (("label lookup", 0.5), ("2-hop join", 0.8))
    ),
    Target("SHACL validation", "100k", 10.0, "s", True, _validation),
    Target("closure (reasoning)", "100k", 20.0, "s", True, _startup("ours_cold", "reason")),
    Target("start-up, cold", "1m", 60.0, "s", True, _startup("ours_cold")),
    Target(
        "label lookup median",
        "1m",
        20.0,
        "ms",
        True,
        _query("label lookup", "ours", "c1", "median_ms"),
    ),
    Target(
        "2-hop join median", "1m", 50.0, "ms", True, _query("2-hop join", "ours", "c1", "median_ms")
    ),
    Target(
        "server memory (peak, largest process)",
        "1m",
        2048.0,
        "MB",
        True,
        lambda size: _largest_process(size["memory"].get("ours_cold", {})),
    ),
)


def evaluate(results: dict) -> list[dict]:
    """Return each target with its figure and verdict (``met``, ``missed``, ``not measured``)."""
    rows = []
    for target in TARGETS:
        size = results["sizes"].get(target.size)
        value = target.figure(size) if size is not None else None
        if value is None:
            verdict, by = "not measured", ""
        else:
            met = value <= target.bound if target.at_most else value >= target.bound
            verdict = "met" if met else "missed"
            by = "" if met else f"by {abs(value - target.bound):.2f} {target.unit}"
        rows.append(
            {
                "target": target.name,
                "size": target.size,
                "bound": f"{'≤' if target.at_most else '≥'} {target.bound:g} {target.unit}",
                "value": None if value is None else round(value, 3),
                "verdict": verdict,
                "by": by,
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    """Return the targets as a Markdown table."""
    lines = ["| dataset | target | bound | measured | verdict |", "|---|---|---|---|---|"]
    for row in rows:
        value = "–" if row["value"] is None else f"{row['value']:g}"
        verdict = row["verdict"] + (f" ({row['by']})" if row["by"] else "")
        lines.append(f"| {row['size']} | {row['target']} | {row['bound']} | {value} | {verdict} |")
    return "\n".join(lines)
