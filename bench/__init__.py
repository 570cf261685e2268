"""The benchmarks of the IMT Knowledge Graph: a package, so that the tests import its parts
(``from bench import synthetic``) and its scripts import each other the same way.

Each script still runs from the repository root as ``python bench/<script>.py`` (see
docs/benchmarks.md): a script run so puts the repository root on ``sys.path`` first.
"""
