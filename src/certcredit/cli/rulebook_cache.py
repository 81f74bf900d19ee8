"""Compiled rulebooks remembered on disk, so that a batch run starts without YAML and Pydantic.

It lives with the batch command (``cli.audit_batch``), not in the pure core: it reads the environment and writes
under the user's home directory.

Reading a shipped rulebook means importing PyYAML and Pydantic and validating the file: a few hundred
milliseconds of a batch that otherwise starts in well under that. The compiled program (plain dataclasses) is
written once as JSON to the user's cache directory, under a key made of the rulebook file's bytes and the source of
the modules that read and compile it, so any change to either compiles afresh. A missing, unreadable or
unwritable cache only costs the time it would save: the program is then compiled the ordinary way.

The cache directory is ``$CERTCREDIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/certcredit``, else
``~/.cache/certcredit``; ``CERTCREDIT_CACHE_DIR=`` (empty) turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import msgspec

import certcredit.rules
from certcredit.rules.compiled import CompiledProgram

_RULES = Path(certcredit.rules.__file__).resolve().parent
PROGRAMS_DIR = _RULES / "programs"


def cache_dir() -> Path | None:
    """Where compiled programs are kept, or None when caching is turned off."""
    given = os.environ.get("CERTCREDIT_CACHE_DIR")
    if given is not None:
        return Path(given) if given else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "certcredit"


def _sources() -> list[Path]:
    """The code that decides what a compiled program holds: the rules package, the plain values it reads (where
    they have a package of their own) and this module."""
    folders = [_RULES, _RULES.parent / "values"]
    return [*sorted(p for folder in folders if folder.is_dir() for p in folder.glob("*.py")), Path(__file__)]


@functools.cache
def _code_key() -> bytes:
    digest = hashlib.sha256()
    for path in _sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _cache_file(program_id: str) -> Path | None:
    folder = cache_dir()
    path = PROGRAMS_DIR / f"{program_id}.yaml"
    if folder is None or "/" in program_id or program_id.startswith("."):
        return None
    try:
        text = path.read_bytes()
    except OSError:
        return None
    key = hashlib.sha256(_code_key() + text).hexdigest()[:24]
    return folder / f"{program_id}-{key}.json"


def _cached(program_id: str) -> CompiledProgram | None:
    file = _cache_file(program_id)
    if file is None:
        return None
    try:
        return msgspec.json.decode(file.read_bytes(), type=CompiledProgram)
    except (OSError, msgspec.DecodeError):
        return None


@functools.cache
def load_program(program_id: str) -> CompiledProgram:
    """``rules.load.load_program``, from the cache when the rulebook and the code are unchanged."""
    found = _cached(program_id)
    if found is not None:
        return found
    from certcredit.rules.load import load_program as compile_afresh

    program = compile_afresh(program_id)  # validated, and its id checked against the file name
    file = _cache_file(program_id)
    if file is not None:
        try:
            data = msgspec.json.encode(program)  # plain values: the engine keeps its own memos elsewhere
            file.parent.mkdir(parents=True, exist_ok=True)
            partial = file.with_name(f"{file.name}.{os.getpid()}")
            partial.write_bytes(data)
            os.replace(partial, file)
        except (OSError, TypeError, msgspec.EncodeError):
            pass  # a cache that cannot be written only costs time
    return program


def program_kind(program_id: str) -> str | None:
    """The kind of a shipped credit program already in the cache, else None (the caller reads the file)."""
    file = _cache_file(program_id)
    if file is None or not file.exists():
        return None
    return load_program(program_id).kind
