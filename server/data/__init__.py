"""Data: the project's dataset (the ontology and one named graph per source document), the data
sources a store is built from, and the dataset version (a digest of the input files and code).

May import: :mod:`imtkg.core`, :mod:`imtkg.rdf`.
"""
