"""The benchmark's synthetic datasets conform to the shapes, as the issue asks of them.

`imtkg serve` refuses data that does not conform, so a generator that drifts from the shapes
stops the benchmark at its first synthetic size; this catches it at a small size.
"""

from __future__ import annotations

from collections import Counter

from bench import synthetic
from imtkg.shacl.validation import validate_dataset


def test_a_synthetic_dataset_has_no_violation_nor_warning():
    outcome = validate_dataset(synthetic.generate(4000))
    found = Counter((r.severity, str(r.source_shape)) for r in outcome.results)
    assert outcome.conforms and not found, found
