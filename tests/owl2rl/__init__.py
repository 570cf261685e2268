"""An independent oracle of the OWL 2 RL/RDF rules (W3C OWL 2 Profiles, section 4.3) for the tests.

* :mod:`tests.owl2rl.oracle`: the rule tables transcribed, one function per rule, naive fixpoint;
* :mod:`tests.owl2rl.datatypes`: the OWL 2 RL datatype map (lexical forms, value spaces);
* :mod:`tests.owl2rl.cases`: hand cases per rule, worked out from the tables;
* :mod:`tests.owl2rl.strategies`: hypothesis strategies of random ontologies and data;
* :mod:`tests.owl2rl.compare`: the engine against the oracle, with a readable diff;
* ``python -m tests.owl2rl.fuzz``: the differential fuzzing outside pytest;
* ``DISAGREEMENTS.md``: what the engine answered differently from the tables, and the outcome.
"""
