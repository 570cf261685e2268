"""The dataset as it is loaded into a lasting store: reasoned, consistent, validated, described.

Shared by the on-disk store (:mod:`imtkg.store.disk_store`) and ``imtkg push``
(:mod:`imtkg.cli.push`), so that both build the same thing and describe it with the same
:class:`DatasetManifest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from imtkg import __version__
from imtkg.data.dataset import graph_files, ontology_files
from imtkg.data.version import DatasetVersion, dataset_version
from imtkg.shacl.conformance import NOT_VALIDATED, conformance
from imtkg.store.knowledge import KnowledgeGraph, load_knowledge_graph
from imtkg.store.manifest import DatasetManifest, count_graphs, now_iso


@dataclass
class PreparedDataset:
    """A loaded dataset ready to be stored.

    :param kg: the dataset and its in-memory store (named graphs and the hidden union graph).
    :param version: the version of its inputs (digest and newest modification time).
    :param reasoned: the inferred graph was computed.
    :param validation: the SHACL outcome (:mod:`imtkg.shacl.conformance`).
    :param report: the validation report's text when the data does not conform.
    """

    kg: KnowledgeGraph
    version: DatasetVersion
    reasoned: bool
    validation: str
    report: str = ""

    def manifest(self, store: ox.Store | None = None, files: dict | None = None) -> DatasetManifest:
        """Describe ``store`` (the in-memory one by default) as built from this dataset."""
        return DatasetManifest(
            digest=self.version.digest,
            last_modified=self.version.last_modified.isoformat(),
            code_version=__version__,
            reasoned=self.reasoned,
            validation=self.validation,
            graphs=count_graphs(self.kg.store if store is None else store),
            built=now_iso(),
            files=files or {},
        )


def input_version(ontology_dir: Path | None = None, graph_dir: Path | None = None):
    """Return the :class:`DatasetVersion` of the ontology and graph files."""
    return dataset_version([*ontology_files(ontology_dir), *graph_files(graph_dir)])


def prepare_dataset(
    ontology_dir: Path | None = None,
    graph_dir: Path | None = None,
    reason: bool = True,
    validate: bool = True,
) -> PreparedDataset:
    """Load and reason over the inputs, refuse an inconsistent graph, validate with the shapes.

    :param validate: run the SHACL validation (else the outcome is ``not validated``).
    :raises InconsistentGraphError: when the reasoner finds the graph inconsistent.
    """
    from imtkg.reasoning.consistency import (
        ensure_consistent,  # the reasoner's module: only when building
    )

    kg = load_knowledge_graph(ontology_dir, graph_dir, reason=reason)
    ensure_consistent(kg.inconsistencies)
    validation, report = conformance(kg.dataset) if validate else (NOT_VALIDATED, "")
    return PreparedDataset(kg, input_version(ontology_dir, graph_dir), reason, validation, report)
