"""Whether a dataset conforms to the shapes, as one word for summaries and manifests."""

from __future__ import annotations

import logging

from rdflib import Dataset

log = logging.getLogger(__name__)

VALID = "valid"
INVALID = "invalid"
NOT_VALIDATED = "not validated"


def conformance(dataset: Dataset) -> tuple[str, str]:
    """Validate ``dataset`` with :func:`imtkg.shacl.validation.validate_dataset` when it exists.

    :returns: the outcome (:data:`VALID`, :data:`INVALID` or :data:`NOT_VALIDATED`) and the
        report's text (empty unless invalid).
    """
    try:
        # imported here: a warm start that reads a cached outcome never needs the validators
        from imtkg.shacl import validation
    except ModuleNotFoundError:
        log.warning("imtkg.shacl.validation is not available: the data was not validated")
        return NOT_VALIDATED, ""
    report = validation.validate_dataset(dataset)
    if getattr(report, "conforms", report):
        return VALID, ""
    return INVALID, getattr(report, "text", None) or str(report)
