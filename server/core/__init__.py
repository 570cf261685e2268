"""Core: the project's errors, namespaces, shipped-file paths, settings, progress bars, atomic
files and the digest of the package's own code (which keys the caches).

May import: the standard library and third-party packages only; no other ``imtkg`` subpackage.
"""
