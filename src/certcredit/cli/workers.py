"""``audit --batch`` across processes: each worker reads its own byte ranges of the file; the parent writes in order.

A regular file is cut into ranges of ``CHUNK_BYTES`` on line boundaries (a range holds the lines that *start*
inside it), so the parent never reads or ships the input: a forked worker reads its range itself, audits each line
on the fast lane (``engine.bulk``) or, when the lane declines, on the careful path (``cli.batch_lines``),
and writes its output to standard output itself when every range before it is out (a shared turn counter, with
its lock); otherwise it leaves the output in a private spool folder (in memory, ``/dev/shm``, where there is one)
and the parent copies it out when its turn comes (``sendfile``: the bytes never pass through Python). At most a few
ranges are in flight, so memory does not grow with the file. Input that cannot be read by ranges (a pipe,
standard input) goes through a pipeline instead: the parent reads chunks and the workers audit them.

A process with threads is never forked (a test runner, a web server, a task worker): a child forked from it copies
only the calling thread, so a lock another thread held at that moment stays held in the child for ever. Its
workers come from a fork server instead (``multiprocessing``'s ``forkserver``), a fresh single-threaded process
that has imported this module and the fast lane once. The command line's own process has one thread and forks its
workers directly, which saves starting that server (about 0.17 s of CPU a run). Either way each worker builds its
own auditor as it starts (``_start``: the compiled rulebook comes from the on-disk cache) and receives the shared
counters and standard output's descriptor as arguments.

Line numbers (for rejected lines and records) are absolute: each worker publishes how many lines its range holds
in a shared array, and a worker that needs the number of its first line (only when a line takes the careful path)
adds up the counts of the ranges before it, counting any range nobody has counted yet itself.
"""

from __future__ import annotations

import gc
import os
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from certcredit.cli.batch_lines import BatchDefaults, audit_line

#: bytes of input per job at most: big enough that a job's overhead is small, small enough to keep memory bounded
CHUNK_BYTES = 4 << 20
#: with several workers, a file is cut into at least this many jobs per worker (down to ``MIN_CHUNK_BYTES`` a
#: job), so that the workers run out of work at about the same time: with a few large jobs the last one ran on
#: one core while the other idled (a 24,000-person file was 17 jobs of about 0.1 s of CPU each)
JOBS_PER_WORKER = 16
MIN_CHUNK_BYTES = 256 << 10
#: jobs in flight per worker (bounds the memory held by finished parts waiting for their turn)
AHEAD = 2


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """One job's answer: output lines (each ending in a newline), stderr messages, whether any line failed."""

    output: bytes
    messages: tuple[str, ...]
    failed: bool
    methods: dict[str, int]
    #: where a worker left its output instead of ``output`` (the parent copies it out in the kernel)
    spooled: str | None = None
    #: the worker wrote its output to standard output itself (it was its turn)
    written: bool = False


class _Worker:
    """What a worker process needs: built in each worker by ``_start`` (or in the one process, without workers)."""

    def __init__(
        self, defaults: BatchDefaults, path: Path | None, size: int, counts: Any, chunk: int = CHUNK_BYTES
    ) -> None:
        from certcredit.cli.rulebook_cache import load_program
        from certcredit.engine.bulk import BulkAuditor

        self.defaults = defaults
        self.auditor = BulkAuditor(load_program(defaults.program), defaults.as_of, defaults.specialty)
        self.path = path
        self.size = size
        self.chunk = chunk  # bytes of the file per range
        self.counts = counts  # shared: 1 + the number of newlines in each range, 0 while unknown
        self.fd = -1
        #: a folder for parts (set in pool mode): a part is written there rather than pickled through a pipe
        self.spool: str | None = None
        #: in pool mode: the index of the next range to write to standard output (shared, with its lock)
        self.turn: Any = None
        self.out_fd: int | None = None

    # --- reading ranges ----------------------------------------------------------------------------------------

    def _read(self, start: int, end: int) -> bytes:
        if self.fd < 0:
            assert self.path is not None
            self.fd = os.open(self.path, os.O_RDONLY)
        pieces = []
        while start < end:
            piece = os.pread(self.fd, min(end - start, 1 << 24), start)
            if not piece:
                break
            pieces.append(piece)
            start += len(piece)
        return b"".join(pieces)

    def _boundary(self, offset: int) -> int:
        """The first line start at or after ``offset`` (0, or just after a newline; the file's size at the end)."""
        if offset <= 0:
            return 0
        position = offset - 1
        while position < self.size:
            block = self._read(position, min(position + 65536, self.size))
            found = block.find(b"\n")
            if found >= 0:
                return position + found + 1
            position += len(block)
        return self.size

    def _range(self, index: int) -> tuple[int, int]:
        return self._boundary(index * self.chunk), self._boundary((index + 1) * self.chunk)

    def _first_line(self, index: int) -> int:
        """The 1-based number of the first line in range ``index``."""
        counts = self.counts
        before = 0
        for j in range(index):
            if counts[j] == 0:
                start, end = self._range(j)
                counts[j] = 1 + self._read(start, end).count(b"\n")
            before += counts[j] - 1
        return before + 1

    # --- auditing ----------------------------------------------------------------------------------------------

    def range_job(self, index: int) -> ChunkResult:
        start, end = self._range(index)
        data = self._read(start, end)
        self.counts[index] = 1 + data.count(b"\n")
        pieces, part = self._paused(data, lambda: self._first_line(index))
        if self.spool is None:
            return ChunkResult(b"".join(pieces), part.messages, part.failed, part.methods)
        turn = self.turn
        if turn is not None and self.out_fd is not None:
            with turn.get_lock():
                if turn.value == index:  # every range before this one is out: write straight to stdout
                    _write_all(self.out_fd, pieces)
                    turn.value = index + 1
                    return ChunkResult(b"", part.messages, part.failed, part.methods, None, True)
        if not pieces:
            return part
        name = os.path.join(self.spool, str(index))
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_all(fd, pieces)
        finally:
            os.close(fd)
        return ChunkResult(b"", part.messages, part.failed, part.methods, name)

    def audit(self, data: bytes, first_line: Callable[[], int]) -> ChunkResult:
        """Audit whole lines; ``first_line`` gives the number of the first one (asked only if a line needs it)."""
        pieces, part = self._paused(data, first_line)
        return ChunkResult(b"".join(pieces), part.messages, part.failed, part.methods)

    def _paused(self, data: bytes, first_line: Callable[[], int]) -> tuple[list[bytes], ChunkResult]:
        """``_audit`` with the cycle collector paused, for a range of the file as for a chunk of a pipe.

        The fast lane makes a few hundred short-lived tuples and lists a person, none in a cycle (reference counting
        frees them), yet they would trigger a collection every few people (about 3% of the lane's time). Anything
        cyclic the careful path leaves is collected after the chunk.
        """
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._audit(data, first_line)
        finally:
            if enabled:
                gc.enable()

    def _audit(self, data: bytes, first_line: Callable[[], int]) -> tuple[list[bytes], ChunkResult]:
        """The output's pieces, and the rest of the answer.

        Lines are handed to the fast lane as views of ``data`` and its pieces go straight into one list: a line's
        bytes are not copied on the way in, and the output is copied once on the way out (``_write_all``).
        """
        line_into = self.auditor.line_into
        defaults = self.defaults
        dumps = orjson.dumps
        view = memoryview(data)
        find = data.find
        out: list[bytes] = []
        messages: list[str] = []
        methods: dict[str, int] = {}
        failed = False
        base = -1
        size = len(data)
        start = 0
        number = 0  # of the line in ``data``, from 0
        while start < size:
            end = find(b"\n", start)
            if end < 0:
                end = size
            if not line_into(view[start:end], out):
                raw = data[start : end + 1]  # with its newline, as a file reads it
                if raw.strip():
                    if base < 0:
                        base = first_line()
                    obj, bad = audit_line(raw, base + number, defaults, messages, methods)
                    failed = failed or bad
                    out.append(dumps(obj))
                    out.append(b"\n")
            start = end + 1
            number += 1
        for method, count in self.auditor.methods.items():
            methods[method] = methods.get(method, 0) + count
        self.auditor.methods.clear()
        return out, ChunkResult(b"", tuple(messages), failed, methods)


def _write_all(fd: int, pieces: list[bytes]) -> None:
    """Write ``pieces`` in order with ``writev`` (the kernel gathers them: no joined copy in between)."""
    step = 1024  # IOV_MAX on Linux
    for first in range(0, len(pieces), step):
        batch = pieces[first : first + step]
        written = os.writev(fd, batch)
        if written < sum(map(len, batch)):  # a short write: finish this batch plainly
            rest = memoryview(b"".join(batch))[written:]
            while rest:
                rest = rest[os.write(fd, rest) :]


_WORKER: _Worker | None = None
#: what the fork server imports once, so that each worker it forks starts with them loaded
_PRELOAD = [__name__, "certcredit.engine.bulk", "certcredit.cli.rulebook_cache", "certcredit.cli.batch_lines"]


def _context() -> Any:
    """How the workers start: forked from this process when it has exactly one thread (the command line's own: no
    other thread can hold a lock at the moment of the fork), else forked from a fork server, never from a process
    with threads (a test runner, a web server, a task worker; a library's native threads count too)."""
    import importlib
    import multiprocessing

    if _threads() == 1:
        for name in _PRELOAD:  # the children inherit them imported, as the fork server's children do
            importlib.import_module(name)
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)  # takes effect when the server starts (once a process)
    return context


def _threads() -> int:
    """The threads of this process as the kernel counts them (Python's and native ones), 0 when unknown."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


class _SharedFd:
    """A file descriptor handed to a worker as it starts: it receives a duplicate of it (the same open file, so
    writes from any process land one after another)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self) -> tuple[Any, ...]:
        from multiprocessing.reduction import DupFd

        return _received_fd, (DupFd(self.fd),)


def _received_fd(duplicate: Any) -> _SharedFd:
    return _SharedFd(duplicate.detach())


@dataclass(frozen=True, slots=True)
class _Setup:
    """What a worker is started with (pickled to it once, as it starts)."""

    defaults: BatchDefaults
    path: Path | None
    size: int
    counts: Any
    chunk: int
    spool: str | None = None
    turn: Any = None
    out: _SharedFd | None = None


def _start(setup: _Setup) -> None:
    """A worker's initializer: its own auditor, and the parent's shared counters and standard output."""
    global _WORKER
    worker = _Worker(setup.defaults, setup.path, setup.size, setup.counts, setup.chunk)
    worker.spool = setup.spool
    worker.turn = setup.turn
    worker.out_fd = setup.out.fd if setup.out is not None else None
    _WORKER = worker


def _range_job(index: int) -> ChunkResult:
    assert _WORKER is not None
    return _WORKER.range_job(index)


def _pipe_job(job: tuple[int, bytes]) -> ChunkResult:
    assert _WORKER is not None
    first, data = job
    return _WORKER.audit(data, lambda: first)


def _write_spooled(name: str) -> None:
    """Copy a spooled part to standard output (``sendfile`` where the kernel can, else read and write)."""
    out = sys.stdout.buffer
    out.flush()
    with open(name, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        offset = 0
        try:
            while offset < size:
                sent = os.sendfile(out.fileno(), handle.fileno(), offset, size - offset)
                if sent == 0:
                    break
                offset += sent
        except (OSError, ValueError, AttributeError):  # e.g. an appending or in-memory stdout
            handle.seek(offset)
            out.write(handle.read())
            out.flush()
    os.unlink(name)


def _pipe_chunks(handle: Any) -> Iterator[tuple[int, bytes]]:
    """Chunks of whole lines from a stream, each with the number of its first line."""
    first = 1
    rest = b""
    while True:
        block = handle.read(CHUNK_BYTES)
        if not block:
            break
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            rest = block
            continue
        rest = block[cut:]
        yield first, block[:cut]
        first += block.count(b"\n", 0, cut)
    if rest:
        yield first, rest


def run(
    path: Path, defaults: BatchDefaults, workers: int, small_file_bytes: int, emit: Callable[[ChunkResult], None]
) -> None:
    """Audit every line of ``path`` and ``emit`` the parts in input order."""
    global _WORKER
    info = os.stat(path)
    regular = stat.S_ISREG(info.st_mode)
    size = info.st_size if regular else 0
    if regular:
        if workers <= 1 or size < small_file_bytes:
            _WORKER = _Worker(defaults, path, size, [0] * max(1, -(-size // CHUNK_BYTES)), CHUNK_BYTES)
            for index in range(len(_WORKER.counts)):
                emit(_WORKER.range_job(index))
            return
        import tempfile

        chunk = job_bytes(size, workers)
        count = max(1, -(-size // chunk))
        context = _context()
        shm = "/dev/shm"
        base = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None
        with tempfile.TemporaryDirectory(prefix="certcredit-batch-", dir=base) as spool:
            out_fd = _stdout_fd()
            setup = _Setup(
                defaults,
                path,
                size,
                context.RawArray("q", count),
                chunk,
                spool,
                context.Value("q", 0),
                _SharedFd(out_fd) if out_fd is not None else None,
            )
            _WORKER = None  # the parent audits nothing here: it only writes the parts the workers left
            _pool(context, workers, setup, _range_job, iter(range(count)), emit)
        return
    _WORKER = None
    with path.open("rb") as handle:
        if workers <= 1:
            _WORKER = _Worker(defaults, None, 0, [])
            for job in _pipe_chunks(handle):
                emit(_pipe_job(job))
            return
        _pool(_context(), workers, _Setup(defaults, None, 0, [], CHUNK_BYTES), _pipe_job, _pipe_chunks(handle), emit)


def job_bytes(size: int, workers: int) -> int:
    """Bytes of a ``size``-byte file per job for ``workers`` workers: ``JOBS_PER_WORKER`` jobs a worker or more,
    each between ``MIN_CHUNK_BYTES`` and ``CHUNK_BYTES``."""
    return min(CHUNK_BYTES, max(MIN_CHUNK_BYTES, size // (workers * JOBS_PER_WORKER)))


def _pool(
    context: Any,
    workers: int,
    setup: _Setup,
    job: Callable[[Any], ChunkResult],
    jobs: Iterator[Any],
    emit: Callable[[ChunkResult], None],
) -> None:
    """Run ``job`` over ``jobs`` in ``workers`` processes started from ``context`` with ``setup``, emitting answers
    in order with a bounded number in flight."""
    sys.stdout.flush()
    sys.stderr.flush()
    with context.Pool(workers, initializer=_start, initargs=(setup,)) as pool:
        pending: deque[Any] = deque()
        done = 0
        for item in jobs:
            pending.append(pool.apply_async(job, (item,)))
            if len(pending) > AHEAD * workers:
                _emit(pending.popleft().get(), emit, done, setup.turn)
                done += 1
        while pending:
            _emit(pending.popleft().get(), emit, done, setup.turn)
            done += 1


def _emit(part: ChunkResult, emit: Callable[[ChunkResult], None], index: int, turn: Any) -> None:
    """Write a part whose worker did not (in order: every part before it is out), then hand it to ``emit``."""
    if turn is None:
        if part.spooled is not None:
            _write_spooled(part.spooled)
    elif not part.written:
        with turn.get_lock():
            if part.spooled is not None:
                _write_spooled(part.spooled)
            turn.value = index + 1
    emit(part)


def _stdout_fd() -> int | None:
    """Standard output's file descriptor, when it has one the workers can write to (not an in-memory stream)."""
    try:
        sys.stdout.flush()
        return sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return None
