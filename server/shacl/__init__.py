"""SHACL validation: the validators (Oxigraph's compiled shapes and pyshacl), their results and
text report, the outcome cached on disk, the one-word conformance, and the W3C test suite runner.

May import: :mod:`imtkg.core`, :mod:`imtkg.rdf`, :mod:`imtkg.data`; not :mod:`imtkg.reasoning`
(the two are independent).
"""
