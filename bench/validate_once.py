"""Time the validation of a dataset file as the server would do it: rdflib parse, then pyshacl.

python bench/validate_once.py data.nq
{"parse_s": 9.8, "validate_s": 41.2, "conforms": true}
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from imtkg.dataset import new_dataset
from imtkg.loading import parse_quads_file
from imtkg.validation import validate_dataset


def main() -> None:
    """Parse the file given as argument, validate it, print the times as JSON."""
    started = time.monotonic()
    dataset = parse_quads_file(Path(sys.argv[1]), new_dataset())
    parsed = time.monotonic()
    outcome = validate_dataset(dataset)
    done = time.monotonic()
    figures = {
        "parse_s": round(parsed - started, 2),
        "validate_s": round(done - parsed, 2),
        "conforms": outcome.conforms,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
