"""Stores: the Oxigraph store layout and the knowledge graph it holds, on-disk stores (built in
bulk, checked, pinned, pruned), their manifests, the start-up cache, and the dumps written from
a store.

May import: :mod:`imtkg.core`, :mod:`imtkg.rdf`, :mod:`imtkg.data`, :mod:`imtkg.reasoning`,
:mod:`imtkg.shacl`.
"""
