"""SHA-256 checksums of a built store's files, recorded at build and checked at each open.

Oxigraph (RocksDB) checks a block's checksum only when it reads that block, so a store whose
files were damaged on disk (a flipped byte in a table file, sizes unchanged) opens without
complaint and fails, or answers wrongly, at some later query. The files of a store never change
once it is built (the query workers open it read-only), so the builder records their checksums
in ``checksums.sha256`` beside the store, in the format of ``sha256sum`` (an operator can run
``sha256sum -c ../checksums.sha256`` in the store folder), and an open compares them first.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CHECKSUMS_FILE = "checksums.sha256"


def file_checksums(directory: Path) -> dict[str, str]:
    """Return the files under ``directory`` (relative POSIX paths) -> their SHA-256, in hex."""
    sums = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            sums[path.relative_to(directory).as_posix()] = _sha256(path)
    return sums


def _sha256(path: Path) -> str:
    """Return the SHA-256 of the file ``path`` (read by blocks: store files can be large)."""
    sha = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            sha.update(block)
    return sha.hexdigest()


def format_checksums(sums: dict[str, str]) -> str:
    """Return ``sums`` as the text of a ``sha256sum`` file (``<hex>  <name>`` lines)."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(sums.items()))


def parse_checksums(text: str) -> dict[str, str]:
    """Read the text of a ``sha256sum`` file.

    :raises ValueError: when a line is not ``<64 hex digits>  <name>``.
    """
    sums = {}
    for number, line in enumerate(text.splitlines(), start=1):
        digest, separator, name = line.partition("  ")
        if not separator or len(digest) != 64 or not name:
            raise ValueError(f"line {number} is not '<sha256>  <file>'")
        int(digest, 16)  # raises ValueError when not hex
        sums[name] = digest
    return sums


def checksum_problem(directory: Path, recorded: Path) -> str | None:
    """Compare the files under ``directory`` with the checksums in the file ``recorded``.

    :returns: why they differ (the first file that does, or an unreadable record), else ``None``.
    """
    try:
        expected = parse_checksums(recorded.read_text(encoding="ascii"))
    except FileNotFoundError:
        return f"no checksums recorded ({recorded.name} is missing)"
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        return f"{recorded.name} is unreadable: {exc}"
    try:
        actual = file_checksums(directory)
    except OSError as exc:
        return f"a store file cannot be read: {exc}"
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            return f"store file {name} is missing"
        if name not in expected:
            return f"store file {name} was not part of the build"
        if actual[name] != expected[name]:
            return f"store file {name} does not match its recorded SHA-256 checksum"
    return None
