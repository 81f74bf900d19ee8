"""Backups of the whole store, and restoring one into an empty database: ``certcredit backup`` / ``restore``.

A backup is one ``.tar.gz`` file:

* ``certcredit-backup.json``: the format, certcredit's version, when and from which database it was made, and
  how many rows of each table and how many media files it holds;
* ``data.json`` and ``data-by-key.json``: every row, as Django's ``dumpdata`` writes it (but times to the
  microsecond), primary keys kept (so
  history entries still name the objects they describe). The second file holds the tables that refer to content
  types, permissions and people: those references are written by natural key (a permission by its code name,
  a person by e-mail), since ``migrate`` makes content types and permissions afresh with ids of its own. (Tables
  referring to sessions or records cannot be written that way, as those have a ``natural_key`` column.)
  Left out: content types and permissions (``migrate`` makes them), sessions (signed-in browsers sign in again)
  and django-axes' sign-in attempts (throttling state);
* ``media/``: the uploaded files (records' evidence), under their stored names.

The file is readable by its owner only (it holds password hashes and API token digests) and appears whole or
not at all (it is written beside and renamed).

The rows are read in one transaction, so the backup is a consistent snapshot while the site keeps running
(SQLite: a read transaction, which in WAL mode never holds up writers; PostgreSQL: a repeatable-read,
read-only one). The format is the same for both stores: a SQLite backup restores into PostgreSQL and back.

``restore`` migrates the target database, refuses one that already holds people, records, sessions or history
(nothing is merged or overwritten), loads the rows in one transaction (all or nothing), puts the media files
back (a member path that would leave the media folder is refused) and checks each table's count against the
backup's.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from certcredit import __version__

FORMAT = 1
MANIFEST = "certcredit-backup.json"
DATA = "data.json"
DATA_BY_KEY = "data-by-key.json"
MEDIA = "media"
#: left out of backups (module docstring)
EXCLUDED = ("contenttypes", "auth.permission", "sessions", "axes")
#: a database holding any of these is not empty: restore refuses it
GUARDED = ("accounts.Person", "records.Record", "catalog.Session", "history.HistoryEntry")


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    database: str
    rows: dict[str, int]
    media_files: int

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _models() -> list[Any]:
    """The models a backup holds, in a stable order."""
    found = []
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.proxy or not model._meta.managed:
            continue
        if model._meta.app_label in EXCLUDED or label.lower() in EXCLUDED:
            continue
        found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def _by_key(model: Any) -> bool:
    """Whether a model's references can all be written by natural key (none leads to a ``natural_key`` column)."""
    for field in model._meta.get_fields():
        target = field.related_model if field.is_relation and field.concrete else None
        if target is not None and hasattr(target, "natural_key") and not callable(target.natural_key):
            return False
    return True


class _Exact(DjangoJSONEncoder):
    """Django's JSON, but times to the microsecond (Django's stops at the millisecond, which a restore would lose)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


def _rows_of(labels: list[str]) -> Iterator[Any]:
    """The rows, models in ``dumpdata``'s order (a model a natural key names comes before the models naming it)."""
    by_app: dict[Any, list[Any]] = {}
    for label in labels:
        model = apps.get_model(label)
        by_app.setdefault(model._meta.app_config, []).append(model)
    for model in serializers.sort_dependencies(by_app.items(), allow_cycles=True):
        yield from model._base_manager.order_by(model._meta.pk.name).iterator()


def _dump(labels: list[str], path: Path, natural: bool) -> None:
    """Every row of the models named, as ``dumpdata`` writes them, times exact (``_Exact``)."""
    with path.open("w", encoding="utf-8") as out:
        serializers.serialize("json", _rows_of(labels), stream=out, use_natural_foreign_keys=natural, cls=_Exact)


def _counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in _models()}


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent read of the whole database that holds up no writer (module docstring)."""
    if connection.in_atomic_block:  # already inside a transaction (a caller's, or a test's): it is the snapshot
        yield
        return
    if connection.vendor == "sqlite":
        # Django's SQLite transactions begin IMMEDIATE (the write lock); a plain read needs only a DEFERRED one.
        connection.ensure_connection()
        raw = connection.connection
        raw.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            raw.execute("COMMIT")
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup(path: Path) -> BackupReport:
    """Write a backup of the whole store to ``path`` (a ``.tar.gz``), written whole or not at all."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path}: is a folder; name the backup file, e.g. {path / 'certcredit.tar.gz'}")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as folder:
        data, by_key = Path(folder) / DATA, Path(folder) / DATA_BY_KEY
        models = _models()
        keyed = [m._meta.label for m in models if _by_key(m)]
        plain = [m._meta.label for m in models if not _by_key(m)]
        with _snapshot():
            rows = _counts()
            _dump(keyed, by_key, natural=True)
            _dump(plain, data, natural=False)
        media = _media_files()
        manifest = {
            "format": FORMAT,
            "certcredit": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": connection.vendor,
            "rows": rows,
            "media_files": len(media),
        }
        partial = path.with_name(path.name + ".partial")
        try:
            # readable by its owner only: it holds password hashes and token digests
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
                archive.add(by_key, arcname=DATA_BY_KEY)
                archive.add(data, arcname=DATA)
                for file in media:
                    archive.add(file, arcname=f"{MEDIA}/{file.relative_to(media_root).as_posix()}")
            partial.replace(path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise BackupError(f"{path}: cannot write the backup ({error.strerror or error})") from None
    return BackupReport(path, connection.vendor, rows, len(media))


def _read_manifest(archive: tarfile.TarFile, path: Path) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        raise BackupError(f"{path}: not a certcredit backup (no {MANIFEST} inside)") from None
    if member is None:
        raise BackupError(f"{path}: {MANIFEST} is not a file")
    try:
        manifest = json.loads(member.read())
    except ValueError as error:
        raise BackupError(f"{path}: {MANIFEST} is unreadable ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')!r} is not {FORMAT}: made by another version")
    return manifest


def _check_empty() -> None:
    held = {label: apps.get_model(label)._base_manager.count() for label in GUARDED}
    held = {label: n for label, n in held.items() if n}
    if held:
        listed = ", ".join(f"{n} {label.split('.')[1]}" for label, n in held.items())
        raise BackupError(
            f"the database is not empty ({listed}): restore only into a new one "
            "(a new DATABASE_URL, or a new CERTCREDIT_VAR for SQLite); nothing was changed"
        )


def _media_target(root: Path, name: str) -> Path:
    relative = PurePosixPath(name).relative_to(MEDIA)
    target = (root / Path(*relative.parts)).resolve()
    if not target.is_relative_to(root.resolve()) or ".." in relative.parts:
        raise BackupError(f"media file {name!r} would be written outside the media folder; nothing was restored")
    return target


def restore(path: Path) -> BackupReport:
    """Restore a backup into an empty database (migrated first) and its media files (module docstring)."""
    path = Path(path)
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 (closed by the with below; opening may fail alone)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path}: cannot read the backup ({error})") from None
    with archive, tempfile.TemporaryDirectory() as folder:
        manifest = _read_manifest(archive, path)
        root = Path(settings.MEDIA_ROOT)
        media = [m for m in archive.getmembers() if m.name.startswith(f"{MEDIA}/") and m.isfile()]
        targets = [_media_target(root, m.name) for m in media]  # every name checked before anything is written
        call_command("migrate", interactive=False, verbosity=0)
        _check_empty()
        for name in (DATA_BY_KEY, DATA):
            try:
                archive.extract(name, folder, filter="data")
            except KeyError:
                raise BackupError(f"{path}: no {name} inside") from None
        # one call: one transaction, references checked once everything is in
        call_command("loaddata", str(Path(folder) / DATA_BY_KEY), str(Path(folder) / DATA), verbosity=0)
        for member, target in zip(media, targets, strict=True):
            source = archive.extractfile(member)
            if source is None:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())
    rows = _counts()
    expected = {label: int(n) for label, n in dict(manifest.get("rows", {})).items()}
    wrong = {label: (n, rows.get(label, 0)) for label, n in expected.items() if rows.get(label, 0) != n}
    if wrong:
        listed = "; ".join(f"{label}: {want} in the backup, {got} restored" for label, (want, got) in wrong.items())
        raise BackupError(f"{path}: the restored counts differ from the backup's: {listed}")
    return BackupReport(path, connection.vendor, rows, len(media))
