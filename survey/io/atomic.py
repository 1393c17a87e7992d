"""Atomic outputs: a single file with :func:`write_atomic`, a whole folder with :class:`AtomicOutput`.

A reader never sees a half-written file, and a run that fails (or is killed) leaves the previous
outputs as they were.

- :func:`write_atomic`: one file, written to a temporary name beside it, fsynced and moved over
  the target with ``os.replace`` (atomic on POSIX and Windows within one file system). Used by
  the report runner (notebook cache, HTML pages) and :func:`survey.report.plots.save_figure`.
- :class:`AtomicOutput`: a set of files (``data/processed/``) produced in a staging folder and
  moved into place only when all of them succeeded; a run killed while moving is completed by
  the next run (:func:`sweep_leftovers`), so the folder never stays a mix of two runs.

Locks
-----
A staging (or backup) folder holds a lock file locked by its run for as long as the run lives
(``filelock.FileLock``: ``flock`` on POSIX, ``msvcrt.locking`` on Windows). The operating system
drops such a lock when its process ends, however it ends (``kill -9``, a closed terminal), so a
later run can tell an abandoned folder (the lock can be taken) from one whose run is still
going (it cannot). On a file system without ``flock`` filelock falls back to a marker file with
the holder's process id, which it likewise treats as free once that process is gone.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from survey.errors import SurveyError, SurveyWarning

__all__ = [
    "COMMIT_MARKER",
    "GROUP_FILE",
    "LOCK_FILE",
    "OWNED_LEDGER",
    "AtomicOutput",
    "AtomicOutputSet",
    "check_writable",
    "fsync_dir",
    "protect_inputs",
    "protected_inputs",
    "reset_protected",
    "fsync_file",
    "sweep_leftovers",
    "write_atomic",
    "write_failure",
]

#: File in the destination listing what the last :class:`AtomicOutput` wrote there.
OWNED_LEDGER = ".survey_outputs.json"
#: Lock file inside a staging or backup folder, locked while the run that made it is alive.
LOCK_FILE = ".survey_lock"
#: Written into a complete staging folder just before its files are moved into place: what to
#: move (in order) and which files of the previous run to delete, so an interrupted move can
#: be finished by the next run.
COMMIT_MARKER = ".survey_commit.json"
#: In each staging folder of an :class:`AtomicOutputSet`: all staging folders of the run and
#: their destinations, so the next run rolls the whole group forward or deletes it whole.
GROUP_FILE = ".survey_group.json"


# -- OS errors ---------------------------------------------------------------------------------
#: What an OS error number means, for the user (errors without an entry show ``strerror``).
_ERRNO_ZH = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限（操作不被允许）",
    errno.EROFS: "只读文件系统（磁盘或文件夹只能读取）",
    errno.ENAMETOOLONG: "文件名或路径过长",
    errno.EMFILE: "打开的文件过多",
    errno.ENFILE: "打开的文件过多",
    errno.EIO: "磁盘读写错误（磁盘可能损坏或已被拔出）",
    errno.EBUSY: "文件正被其他程序使用",
    errno.ENOENT: "文件夹不存在（可能在运行中被删除或移走）",
    errno.EFBIG: "文件超过该文件系统允许的大小",
}
_ERRNO_HINT = {
    errno.ENOSPC: "清理该磁盘后重新运行，或在 study.yaml 中把 output_dir 改到空间更大的磁盘",
    errno.EDQUOT: "清理自己在该磁盘上的文件，或请管理员提高配额",
    errno.EACCES: "检查该文件夹的权限（当前用户须能写入），或把 output_dir 改到可写的文件夹",
    errno.EPERM: "检查该文件夹的权限（当前用户须能写入），或把 output_dir 改到可写的文件夹",
    errno.EROFS: "把 output_dir 改到可写的磁盘（U 盘、光盘或网络盘可能只读）",
}


def _folder_size(folder: Path) -> int:
    try:
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    except OSError:
        return 0


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.1f} MB"


def write_failure(
    err: OSError, folder: str | Path, *, needed: int | None = None, written: int | None = None
) -> SurveyError:
    """The :class:`~survey.errors.SurveyError` for an OS error while writing outputs.

    Parameters
    ----------
    err
        The error (``ENOSPC``, ``EACCES``, ``EROFS`` …).
    folder
        The output folder the write was for (named in the message).
    needed
        Bytes being written, when known (shown with the free space left on that disk).
    written
        Bytes already written into the staging folder when the error came (instead of
        ``needed`` when the total is not known).

    Returns
    -------
    SurveyError
        Saying which folder, what the error means in Chinese, how much was being written and
        that the previous outputs are untouched; raise it ``from err``.
    """
    folder = Path(folder)
    code = err.errno or (errno.EACCES if isinstance(err, PermissionError) else 0)
    meaning = _ERRNO_ZH.get(code, "写入失败")
    detail = err.strerror or str(err)
    size = ""
    if needed or written:
        size = f"；本次需要写入约 {_mb(needed)}" if needed else f"；已写入约 {_mb(written or 0)} 时出错"
        probe = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if probe is not None:
            with contextlib.suppress(OSError):
                size += f"，该磁盘剩余 {_mb(shutil.disk_usage(probe).free)}"
    where = f"（{err.filename}）" if err.filename else ""
    return SurveyError(
        f"无法写入输出文件夹：{meaning}（{detail}）{where}{size}。本次结果未写入，原有输出保持不变",
        file=folder,
        expected="有足够空间、当前用户可以写入的文件夹",
        hint=_ERRNO_HINT.get(code, "排除上述问题后重新运行"),
    )


# -- raw data are read-only -------------------------------------------------------------------
#: Folders holding raw inputs of the study being processed (symlinks resolved): nothing may be
#: written inside them. Process-wide; set by :func:`protect_inputs` / :func:`protected_inputs`.
_PROTECTED: set[Path] = set()
#: Folders of which only the direct entries are protected (the study folder when it holds the
#: codebook beside ``study.yaml``: its subfolders such as ``data/processed`` stay writable).
_PROTECTED_SHALLOW: set[Path] = set()


def _resolve_target(path: str | Path) -> Path:
    """``path`` with symlinks resolved; for a path that does not exist yet, the nearest
    existing parent is resolved and the rest appended (the target itself may be a symlink)."""
    p = Path(os.path.abspath(path))
    missing: list[str] = []
    probe = p
    while not (probe.exists() or probe.is_symlink()) and probe != probe.parent:
        missing.append(probe.name)
        probe = probe.parent
    resolved = probe.resolve()
    for name in reversed(missing):
        resolved = resolved / name
    return resolved


def protect_inputs(folders: Iterable[str | Path], *, shallow: Iterable[str | Path] = ()) -> None:
    """Declare folders holding raw inputs read-only for the rest of the process.

    Parameters
    ----------
    folders
        Input folders (e.g. ``data/raw/2026``): nothing may be written in them or below them.
    shallow
        Folders of which only the direct entries are protected (the study folder holding
        ``codebook.yaml``); writes into their subfolders stay allowed.

    Notes
    -----
    Paths are stored with symlinks resolved; every writer of :mod:`survey` calls
    :func:`check_writable` just before it writes, so a symlink made after the study was loaded
    (an output folder or file pointing into ``data/raw``) cannot redirect a write there.
    """
    _PROTECTED.update(_resolve_target(f) for f in folders)
    _PROTECTED_SHALLOW.update(_resolve_target(f) for f in shallow)


def reset_protected() -> None:
    """Forget every protected folder (tests)."""
    _PROTECTED.clear()
    _PROTECTED_SHALLOW.clear()


@contextlib.contextmanager
def protected_inputs(
    folders: Iterable[str | Path], *, shallow: Iterable[str | Path] = ()
) -> Iterator[None]:
    """:func:`protect_inputs` for the duration of a ``with`` block; the previous protection is
    restored afterwards (a run of ``survey clean`` protects its study's inputs while it runs).
    """
    before = (set(_PROTECTED), set(_PROTECTED_SHALLOW))
    protect_inputs(folders, shallow=shallow)
    try:
        yield
    finally:
        _PROTECTED.clear()
        _PROTECTED.update(before[0])
        _PROTECTED_SHALLOW.clear()
        _PROTECTED_SHALLOW.update(before[1])


def check_writable(path: str | Path) -> Path:
    """Refuse a write whose target resolves into a protected input folder.

    Parameters
    ----------
    path
        The file about to be written or replaced.

    Returns
    -------
    Path
        The target with symlinks resolved.

    Raises
    ------
    SurveyError
        If the resolved target lies in (or below) a folder of :func:`protect_inputs`, or
        directly in one of its ``shallow`` folders; the message names the protected folder.

    Examples
    --------
    >>> protect_inputs([tmp_path / "data" / "raw"])  # doctest: +SKIP
    >>> check_writable(tmp_path / "data" / "raw" / "responses.csv")  # doctest: +SKIP
    Traceback (most recent call last):
    survey.errors.SurveyError: 写入位置在原始数据文件夹内 …
    """
    resolved = _resolve_target(path)
    hit = next((f for f in sorted(_PROTECTED) if resolved == f or resolved.is_relative_to(f)), None)
    if hit is None:
        hit = next((f for f in sorted(_PROTECTED_SHALLOW) if f in (resolved, resolved.parent)),
                   None)
    if hit is None:
        return resolved
    via = "" if resolved == Path(os.path.abspath(path)) else f"（经符号链接指向 {resolved}）"
    raise SurveyError(
        f"拒绝写入：写入位置{via}在原始数据文件夹 {hit} 内。原始数据只读，"
        "处理结果不能写进原始数据所在的文件夹，否则可能覆盖原始导出文件；本次未写入该文件",
        file=Path(path),
        expected=f"输出位置不能在原始数据文件夹内（受保护的文件夹：{hit}）",
        hint="检查输出文件夹及其中的文件是否被换成了指向原始数据的符号链接（快捷方式），"
        "删除该链接或在 study.yaml 中把输出位置改到原始数据文件夹之外后重新运行",
    )


# -- fsync --------------------------------------------------------------------------------------
def fsync_file(path: str | Path) -> None:
    """Flush a file's data to disk (``os.fsync``)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | Path) -> None:
    """Flush a folder's entries (renames into it) to disk; a no-op where folders cannot be
    opened (Windows, where the rename is durable enough)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- one file -----------------------------------------------------------------------------------
def write_atomic(path: str | Path, data: bytes | str, *, only_if_changed: bool = False) -> bool:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    Parameters
    ----------
    path
        The target file; its folder is created if missing.
    data
        The content; text is encoded as UTF-8.
    only_if_changed
        Leave the file untouched (and its modification time) when it already holds ``data``.

    Returns
    -------
    bool
        ``True`` if the file was written, ``False`` if it was left as it was.

    Notes
    -----
    The data go to a uniquely named hidden file in the same folder, are fsynced, and replace
    the target with ``os.replace``; the temporary file is removed if anything fails, the
    target is then untouched. An OS error (disk full, no permission, read-only disk; on Windows
    the target held open by another program) becomes a :class:`~survey.errors.SurveyError`
    (:func:`write_failure`).

    Examples
    --------
    >>> write_atomic(tmp_path / "page.html", "<html></html>")  # doctest: +SKIP
    True
    """
    target = Path(path)
    check_writable(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if only_if_changed and target.is_file() and target.read_bytes() == payload:
        return False
    # Not tempfile.mkstemp: its files are private (0600); a report must get the usual mode.
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as err:
        raise write_failure(err, target.parent, needed=len(payload)) from err
    fsync_dir(target.parent)
    return True


# -- locks --------------------------------------------------------------------------------------
def _hold_lock(folder: Path) -> FileLock | None:
    """Create ``folder/LOCK_FILE`` and hold it for the life of this process (or until
    :func:`_release_lock`); ``None`` when it cannot be taken (then nobody can tell the folder
    is abandoned, and it is left alone)."""
    lock = FileLock(folder / LOCK_FILE)
    try:
        lock.acquire(blocking=False)
    except (Timeout, OSError):
        return None
    return lock


def _release_lock(lock: FileLock | None) -> None:
    if lock is not None:
        lock.release(force=True)


def _is_abandoned(lock_file: Path) -> bool:
    """Whether the run that holds ``lock_file`` has ended: its lock can be taken now."""
    probe = FileLock(lock_file)
    try:
        probe.acquire(blocking=False)
    except (Timeout, OSError):
        return False
    probe.release(force=True)
    return True


# -- folders ------------------------------------------------------------------------------------
def _delete_stale(dest: Path, stale: Sequence[str]) -> None:
    """Delete files an earlier run wrote into ``dest`` and the new run did not produce."""
    for rel in stale:
        path = dest / rel
        if path.is_file() and path.resolve().is_relative_to(dest.resolve()):
            path.unlink()


def _roll_forward(staging: Path, dest: Path) -> bool:
    """Finish the moves of a run killed while moving its complete staging folder into ``dest``.

    The files still in ``staging`` are moved in the recorded order (the manifest and the
    ledger last) and the previous run's stale files deleted, which is what the killed run
    would have done. Returns ``False`` (and leaves the rest) if a file cannot be moved.
    """
    try:
        plan = json.loads((staging / COMMIT_MARKER).read_text(encoding="utf-8"))
        order, stale = [str(r) for r in plan["order"]], [str(r) for r in plan["stale"]]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    try:
        for rel in order:
            check_writable(dest / rel)
    except SurveyError:
        return False
    try:
        for rel in order:
            src = staging / rel
            if src.is_file():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dest / rel)
        _delete_stale(dest, stale)
    except OSError:
        return False
    fsync_dir(dest)
    return True


def _sweep_group(folder: Path) -> bool | None:
    """Finish or delete the whole group of staging folders ``folder`` belongs to.

    The group was committed when every member still there holds its commit marker (markers
    are written only once all members are complete, and removed before a failed or finished
    run deletes its folders): then every member is rolled forward. Otherwise nothing had
    been moved yet, and every member is deleted. Returns ``True`` when rolled forward,
    ``False`` when deleted, ``None`` when left alone (a member still locked by a live run, or
    a roll-forward that failed).
    """
    try:
        data = json.loads((folder / GROUP_FILE).read_text(encoding="utf-8"))
        members = [(Path(s), Path(d)) for s, d in data["members"]]
    except (OSError, ValueError, KeyError, TypeError):
        members = []
    if not any(s == folder for s, _ in members):
        members.append((folder, folder.parent))  # unreadable record: treat as a lone member
    present = [(s, d) for s, d in members if s.is_dir()]
    for s, _ in present:
        if (s / LOCK_FILE).is_file() and not _is_abandoned(s / LOCK_FILE):
            return None
    committed = bool(present) and all((s / COMMIT_MARKER).is_file() for s, _ in present)
    if committed:
        for s, d in present:
            if not _roll_forward(s, d):
                warnings.warn(
                    f"上次运行在替换输出文件时被中断，未能把它留下的结果（{s}）补齐到 {d}；"
                    "本次运行成功后输出即为完整的一套",
                    SurveyWarning,
                    stacklevel=4,
                )
                return None
    else:
        for s, _ in present:  # first the markers: a half-deleted group must not look committed
            (s / COMMIT_MARKER).unlink(missing_ok=True)
    for s, _ in present:
        shutil.rmtree(s, ignore_errors=True)
    # the killed run's backups of replaced files, beside every member's destination (the
    # sweep of one destination finds only its own): the set is complete again, not needed
    for d in {d for _, d in members}:
        for backup in d.parent.glob(f".{d.name}.backup-*"):
            lock = backup / LOCK_FILE
            if backup.is_dir() and lock.is_file() and _is_abandoned(lock):
                shutil.rmtree(backup, ignore_errors=True)
    return committed


def sweep_leftovers(dest: str | Path) -> list[str]:
    """Delete the staging and backup folders that killed runs left beside ``dest``.

    A folder counts as abandoned only when it holds the lock file of :class:`AtomicOutput` and
    that lock can be taken, i.e. the run that made it has ended (a lock dies with its process,
    even after ``kill -9`` or a closed terminal window). Folders of a run still going, and
    folders without a lock file, are left alone. A staging folder whose run was killed while
    moving its (complete) files into ``dest`` is first rolled forward: the remaining files are
    moved as that run would have moved them, so ``dest`` holds one complete set again, never
    a mix. Deletions and roll-forwards are reported as :class:`~survey.errors.SurveyWarning`.

    Returns
    -------
    list[str]
        Names of the deleted folders.
    """
    dest = Path(dest)
    removed: list[str] = []
    completed: list[str] = []
    if not dest.parent.is_dir():
        return removed
    candidates = sorted(
        [*dest.parent.glob(f".{dest.name}.staging-*"), *dest.parent.glob(f".{dest.name}.backup-*")]
    )
    for folder in candidates:
        lock = folder / LOCK_FILE
        if not folder.is_dir() or not lock.is_file() or not _is_abandoned(lock):
            continue
        if (folder / GROUP_FILE).is_file():
            outcome = _sweep_group(folder)
            if outcome is None:
                continue
            if outcome:
                completed.append(folder.name)
            if not folder.exists():
                removed.append(folder.name)
            continue
        if (folder / COMMIT_MARKER).is_file():
            # Killed while moving a complete set into place: finish the moves first.
            if not _roll_forward(folder, dest):
                warnings.warn(
                    f"上次运行在替换输出文件时被中断，未能把它留下的结果（{folder}）补齐到 {dest}；"
                    "本次运行成功后输出即为完整的一套",
                    SurveyWarning,
                    stacklevel=3,
                )
                continue
            completed.append(folder.name)
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder.name)
    if completed:
        warnings.warn(
            f"上次运行在替换输出文件时被中断；它已完整生成的结果已补齐到 {dest}"
            "（输出与其清单一致，可用 survey verify 检查）。",
            SurveyWarning,
            stacklevel=3,
        )
    if removed:
        warnings.warn(
            f"已删除此前中断的运行留下的临时文件夹（{len(removed)} 个，位于 {dest.parent}）。",
            SurveyWarning,
            stacklevel=3,
        )
    return removed


class AtomicOutput:
    """Produce outputs in a staging folder and move them into place only if all succeeded.

    Parameters
    ----------
    dest_dir
        The output folder (created if missing).
    last
        File names moved after all others (default ``manifest.json``), so that a reader who
        finds the new manifest finds the new files it lists.

    Notes
    -----
    ``with AtomicOutput(dest) as staging:`` gives a fresh folder beside ``dest`` (same file
    system, so renames are atomic), locked for as long as the run lives; folders that killed
    runs left behind are deleted first (:func:`sweep_leftovers`). When the block ends without
    an exception every file in it is fsynced and moved over its namesake in ``dest`` with
    ``os.replace``; each file is replaced atomically, so a reader never sees a half-written
    file. If a move fails (on Windows: the file is open in Excel or SPSS), files already moved
    are put back, so ``dest`` keeps the previous complete set, and a
    :class:`~survey.errors.SurveyError` explains it. Any other OS error while writing into the
    staging folder or moving (disk full, no permission, read-only disk) likewise becomes a
    :class:`~survey.errors.SurveyError` naming the folder, the cause and the size being written
    (:func:`write_failure`), with ``dest`` untouched. Files that an earlier run wrote (recorded
    in ``.survey_outputs.json``) and this run did not produce are deleted; files the user put
    in ``dest`` are never touched. When the block raises, the staging folder is deleted and
    ``dest`` is left exactly as it was.

    Examples
    --------
    >>> with AtomicOutput(study.output_path) as staging:  # doctest: +SKIP
    ...     write_csv(df, staging / "responses.csv")
    """

    def __init__(self, dest_dir: str | Path, *, last: Sequence[str] = ("manifest.json",)) -> None:
        self.dest = Path(dest_dir)
        self.last = tuple(last)
        self.staging: Path | None = None
        self._lock: FileLock | None = None

    def __enter__(self) -> Path:
        check_writable(self.dest / OWNED_LEDGER)
        try:
            self.dest.parent.mkdir(parents=True, exist_ok=True)
            sweep_leftovers(self.dest)
            self.staging = Path(
                tempfile.mkdtemp(prefix=f".{self.dest.name}.staging-", dir=self.dest.parent)
            )
        except OSError as err:
            raise write_failure(err, self.dest) from err
        self._lock = _hold_lock(self.staging)
        return self.staging

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.staging is not None
        try:
            if isinstance(exc, OSError):
                # Writing into the staging folder failed (disk full …): nothing was moved.
                raise write_failure(exc, self.dest, written=_folder_size(self.staging)) from exc
            if exc_type is None:
                try:
                    self._commit(self.staging)
                except OSError as err:
                    raise write_failure(err, self.dest, written=_folder_size(self.staging)) from err
        finally:
            _release_lock(self._lock)  # before deleting: Windows cannot delete an open file
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def _produced(self, staging: Path) -> list[str]:
        files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        files = [f for f in files if f not in (OWNED_LEDGER, LOCK_FILE, COMMIT_MARKER, GROUP_FILE)]
        return [f for f in files if f not in self.last] + [f for f in files if f in self.last]

    def _owned_before(self) -> list[str]:
        ledger = self.dest / OWNED_LEDGER
        try:
            data = json.loads(ledger.read_text(encoding="utf-8"))
            return [str(f) for f in data.get("files", [])]
        except (OSError, ValueError, AttributeError):
            return []

    def _prepare(self, staging: Path) -> tuple[list[str], list[str]]:
        """Write the ledger into ``staging`` and fsync every file; return (order, stale)."""
        produced = self._produced(staging)
        owned_before = self._owned_before()  # read before the new ledger replaces it
        (staging / OWNED_LEDGER).write_text(
            json.dumps({"files": produced}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        order = [*produced, OWNED_LEDGER]
        for rel in order:
            fsync_file(staging / rel)
        stale = [rel for rel in owned_before if rel not in produced and rel != OWNED_LEDGER]
        return order, stale

    def _mark(self, staging: Path, order: list[str], stale: list[str]) -> None:
        """Write the commit marker: from now on the next run rolls this staging folder forward."""
        (staging / COMMIT_MARKER).write_text(
            json.dumps({"order": order, "stale": stale}, ensure_ascii=False), encoding="utf-8"
        )
        fsync_file(staging / COMMIT_MARKER)
        _crash_point()

    def _commit(self, staging: Path) -> None:
        order, stale = self._prepare(staging)
        self._mark(staging, order, stale)
        _install([(self, staging, order, stale)])

    def _move_in(self, staging: Path, order: list[str], backup: Path, moved: list[str]) -> None:
        """Move the files of ``order`` from ``staging`` into ``dest`` (previous versions kept in
        ``backup``); ``moved`` collects what was replaced. On failure this folder's moves are
        undone and the error raised; the caller undoes the other folders."""
        self.dest.mkdir(parents=True, exist_ok=True)
        for rel in order:
            target = self.dest / rel
            check_writable(target)  # a symlink made during the run must not redirect the move
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                # Keep the previous version (hard link, or copy where links are refused)
                # so a failure further on can put it back.
                saved = backup / rel
                saved.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(target, saved)
                except OSError:
                    try:
                        shutil.copy2(target, saved)
                    except OSError as err:  # no room for the copy: nothing replaced yet
                        self._rollback(moved, backup)
                        moved.clear()
                        raise write_failure(err, self.dest, written=_folder_size(staging)) from err
            try:
                os.replace(staging / rel, target)
            except OSError as err:
                self._rollback(moved, backup)
                moved.clear()
                if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
                    raise write_failure(err, self.dest, written=_folder_size(staging)) from err
                raise SurveyError(
                    "无法替换输出文件，本次结果未写入，原有输出保持不变"
                    f"（{_ERRNO_ZH.get(err.errno or 0, err.strerror or str(err))}）",
                    file=target,
                    expected="可写入、未被其他程序占用的文件",
                    hint="请先在 Excel / SPSS / WPS 中关闭该文件，然后重新运行",
                ) from err
            moved.append(rel)
            _crash_point()

    def _rollback(self, moved: list[str], backup: Path) -> None:
        for rel in reversed(moved):
            saved = backup / rel
            if saved.exists():
                os.replace(saved, self.dest / rel)
            else:
                (self.dest / rel).unlink(missing_ok=True)


#: Test hook (crash tests only): ``os._exit`` after this many commit steps, counted over the
#: whole process; a step is one commit marker written or one file moved into place, so with
#: an :class:`AtomicOutputSet` of two folders step 1 ends the run between the two markers,
#: step 2 after both, step 3 after the first move. What ``kill -9`` at that point leaves.
CRASH_AFTER_STEPS_ENV = "SURVEY_TEST_CRASH_AFTER_STEPS"
#: Exit status of a run ended by :data:`CRASH_AFTER_STEPS_ENV`.
CRASH_EXIT_STATUS = 86
_steps_done = 0


def _crash_point() -> None:
    """Count one commit step; end the process at once (no cleanup, no ``finally``) when
    :data:`CRASH_AFTER_STEPS_ENV` says so."""
    global _steps_done
    _steps_done += 1
    limit = os.environ.get(CRASH_AFTER_STEPS_ENV)
    if limit and limit.isdigit() and _steps_done >= int(limit):
        os._exit(CRASH_EXIT_STATUS)


def _install(parts: Sequence[tuple[AtomicOutput, Path, list[str], list[str]]]) -> None:
    """Move prepared staging folders into their destinations, all or none.

    ``parts`` holds (output, staging, order, stale) per destination folder. The previous
    version of every replaced file is kept in a backup folder beside its destination until all
    folders are done; if any move fails, every folder moved so far is put back, so each
    destination keeps its previous complete set. Stale files are deleted only after all moves.
    """
    for out, _staging, order, _stale in parts:  # before anything moves: all or none
        for rel in order:
            check_writable(out.dest / rel)
    backups: list[tuple[Path, FileLock | None]] = []
    done: list[tuple[AtomicOutput, list[str], Path]] = []
    try:
        for out, staging, order, _stale in parts:
            out.dest.mkdir(parents=True, exist_ok=True)
            backup = Path(tempfile.mkdtemp(prefix=f".{out.dest.name}.backup-", dir=out.dest.parent))
            backups.append((backup, _hold_lock(backup)))
            moved: list[str] = []
            try:
                out._move_in(staging, order, backup, moved)
            except BaseException:
                # also an interruption between two moves (KeyboardInterrupt): put this
                # folder's moved files back (``moved`` is empty if _move_in already did), then
                # the folders before it
                out._rollback(moved, backup)
                for prev, prev_moved, prev_backup in reversed(done):
                    prev._rollback(prev_moved, prev_backup)
                raise
            done.append((out, moved, backup))
        for out, _staging, _order, stale in parts:
            _delete_stale(out.dest, stale)
            fsync_dir(out.dest)
    finally:
        for backup, lock in backups:
            _release_lock(lock)
            shutil.rmtree(backup, ignore_errors=True)


class AtomicOutputSet:
    """:class:`AtomicOutput` for several folders at once: all of them get the new set, or none.

    Parameters
    ----------
    dest_dirs
        The output folders (e.g. ``figures/`` and ``reports/``); duplicates count once. They
        may lie on different disks: each gets a staging folder beside it.
    last
        File names moved last within each folder (as in :class:`AtomicOutput`).
    seed
        Copy the files already in each folder (not hidden ones, not the other destinations
        inside it) into its staging folder first, so a run that remakes only some outputs
        still commits the complete set (what it does not remake stays as it was).

    Notes
    -----
    ``with AtomicOutputSet([a, b]) as (sa, sb):`` gives one staging folder per destination,
    each locked and holding a group record (``.survey_group.json``: all staging folders and
    their destinations). When the block ends without an exception, the ledgers are written
    and every file fsynced in all staging folders, then each gets its commit marker; only
    then do the moves start. A run killed before the last marker was written leaves a group
    that the next run deletes as a whole (every destination keeps the previous set); a run
    killed after it leaves a group that the next run rolls forward as a whole
    (:func:`sweep_leftovers` on any of the destinations handles the entire group). Files in a
    destination that no ledger lists (put there by the user, ``reports/.cache``) are never
    touched.
    """

    def __init__(self, dest_dirs: Sequence[str | Path], *, last: Sequence[str] = (),
                 seed: bool = False) -> None:
        dests: list[Path] = []
        for d in dest_dirs:
            p = Path(d).resolve()
            if p not in dests:
                dests.append(p)
        self.parts = [AtomicOutput(d, last=last) for d in dests]
        self.seed = seed
        self.stagings: list[Path] = []
        self._locks: list[FileLock | None] = []

    def __enter__(self) -> list[Path]:
        for out in self.parts:
            check_writable(out.dest / OWNED_LEDGER)
        try:
            for out in self.parts:
                out.dest.parent.mkdir(parents=True, exist_ok=True)
                sweep_leftovers(out.dest)
            for out in self.parts:
                staging = Path(tempfile.mkdtemp(prefix=f".{out.dest.name}.staging-",
                                                dir=out.dest.parent))
                self.stagings.append(staging)
                self._locks.append(_hold_lock(staging))
            members = [[str(s), str(o.dest)] for s, o in zip(self.stagings, self.parts, strict=True)]
            for staging in self.stagings:
                (staging / GROUP_FILE).write_text(json.dumps({"members": members}, ensure_ascii=False),
                                                  encoding="utf-8")
            if self.seed:
                dests = [o.dest for o in self.parts]
                for out, staging in zip(self.parts, self.stagings, strict=True):
                    _seed(out.dest, staging, [d for d in dests if d != out.dest])
        except OSError as err:
            self._discard()
            raise write_failure(err, self.parts[0].dest if self.parts else Path.cwd()) from err
        except BaseException:
            self._discard()
            raise
        return list(self.stagings)

    def _discard(self) -> None:
        for lock in self._locks:
            _release_lock(lock)
        for staging in self.stagings:
            shutil.rmtree(staging, ignore_errors=True)
        self.stagings, self._locks = [], []

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        first = self.parts[0].dest
        try:
            if isinstance(exc, OSError):
                raise write_failure(exc, first, written=sum(map(_folder_size, self.stagings))) from exc
            if exc_type is None:
                try:
                    self._commit()
                except OSError as err:
                    raise write_failure(err, first,
                                        written=sum(map(_folder_size, self.stagings))) from err
        finally:
            for staging in self.stagings:  # committed or undone: no marker may outlive the run
                (staging / COMMIT_MARKER).unlink(missing_ok=True)
            self._discard()

    def _commit(self) -> None:
        pairs = list(zip(self.parts, self.stagings, strict=True))
        prepared = [(out, staging, *out._prepare(staging)) for out, staging in pairs]
        try:
            for out, staging, order, stale in prepared:
                out._mark(staging, order, stale)
        except BaseException:
            for staging in self.stagings:  # not all marked: the commit never started
                (staging / COMMIT_MARKER).unlink(missing_ok=True)
            raise
        _install(prepared)


def _seed(dest: Path, staging: Path, others: Sequence[Path]) -> None:
    """Copy the visible files of ``dest`` (not under ``others``) into ``staging``."""
    if not dest.is_dir():
        return
    for path in sorted(dest.rglob("*")):
        rel = path.relative_to(dest)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if any(path.is_relative_to(o) for o in others):
            continue
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)  # a copy, not a link: a notebook may rewrite it in place
