"""Reasoning: the OWL RL reasoner, the closure it adds as ``graph:inferred``, consistency
checks, explanations of inferred triples, and the closure cached on disk.

May import: :mod:`imtkg.core`, :mod:`imtkg.rdf`, :mod:`imtkg.data`; not :mod:`imtkg.shacl`
(the two are independent).
"""
