"""The query engine: the pool of sandboxed worker processes that run SPARQL on a store, the
remote engine (a SPARQL endpoint behind the server), the backends the ``STORE`` setting names, a
Graph Store Protocol client and a local ``oxigraph serve`` for tests and benchmarks.

May import: :mod:`imtkg.store` and the layers below it.
"""
