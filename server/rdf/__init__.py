"""RDF: terms written short, the result and serialisation formats, reading Turtle, TriG, N-Quads
and JSON-LD (with the JSON-LD context derived from an ontology), and the SPARQL guard that reads
a query as Oxigraph reads it.

May import: :mod:`imtkg.core`.
"""
