"""Time the validation of a dataset file as the server would do it: rdflib parse, then SHACL.

python bench/validate_once.py data.nq [--engine auto|oxigraph|pyshacl]
{"parse_s": 9.8, "validate_s": 4.1, "conforms": true, "engine": "oxigraph"}

``auto`` (the default, as ``imtkg serve`` validates) uses the Oxigraph engine unless the shapes
need pyshacl; ``engine`` in the output says which one ran.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from imtkg.data.dataset import new_dataset
from imtkg.rdf.reading import parse_quads_file
from imtkg.shacl.validation import ENGINES, validate_dataset


def main() -> None:
    """Parse the file given as argument, validate it, print the times as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("file", type=Path, help="an N-Quads (or other quad format) file")
    parser.add_argument("--engine", choices=ENGINES, default="auto", help="SHACL validator")
    args = parser.parse_args()
    started = time.monotonic()
    dataset = parse_quads_file(args.file, new_dataset())
    parsed = time.monotonic()
    outcome = validate_dataset(dataset, engine=args.engine)
    done = time.monotonic()
    figures = {
        "parse_s": round(parsed - started, 2),
        "validate_s": round(done - parsed, 2),
        "conforms": outcome.conforms,
        "engine": outcome.engine,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
