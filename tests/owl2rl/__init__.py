"""An independent oracle of the OWL 2 RL/RDF rules (W3C OWL 2 Profiles, section 4.3) for the tests.

:mod:`tests.owl2rl.oracle` transcribes the rule tables, :mod:`tests.owl2rl.datatypes` the datatype
map, :mod:`tests.owl2rl.strategies` generates random ontologies, and ``python -m
tests.owl2rl.fuzz`` runs the differential fuzzing outside pytest.
"""
