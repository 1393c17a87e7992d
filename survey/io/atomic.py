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
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from survey.errors import SurveyError, SurveyWarning

__all__ = [
    "COMMIT_MARKER",
    "LOCK_FILE",
    "OWNED_LEDGER",
    "AtomicOutput",
    "fsync_dir",
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
            src = staging / rel
            if src.is_file():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dest / rel)
        _delete_stale(dest, stale)
    except OSError:
        return False
    fsync_dir(dest)
    return True


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
        files = [f for f in files if f not in (OWNED_LEDGER, LOCK_FILE, COMMIT_MARKER)]
        return [f for f in files if f not in self.last] + [f for f in files if f in self.last]

    def _owned_before(self) -> list[str]:
        ledger = self.dest / OWNED_LEDGER
        try:
            data = json.loads(ledger.read_text(encoding="utf-8"))
            return [str(f) for f in data.get("files", [])]
        except (OSError, ValueError, AttributeError):
            return []

    def _commit(self, staging: Path) -> None:
        produced = self._produced(staging)
        owned_before = self._owned_before()  # read before the new ledger replaces it
        (staging / OWNED_LEDGER).write_text(
            json.dumps({"files": produced}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        order = [*produced, OWNED_LEDGER]
        for rel in order:
            fsync_file(staging / rel)
        stale = [rel for rel in owned_before if rel not in produced and rel != OWNED_LEDGER]
        (staging / COMMIT_MARKER).write_text(
            json.dumps({"order": order, "stale": stale}, ensure_ascii=False), encoding="utf-8"
        )
        fsync_file(staging / COMMIT_MARKER)
        self.dest.mkdir(parents=True, exist_ok=True)
        backup = Path(tempfile.mkdtemp(prefix=f".{self.dest.name}.backup-", dir=self.dest.parent))
        backup_lock = _hold_lock(backup)
        moved: list[str] = []
        try:
            for rel in order:
                target = self.dest / rel
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
                            raise write_failure(err, self.dest, written=_folder_size(staging)) from err
                try:
                    os.replace(staging / rel, target)
                except OSError as err:
                    self._rollback(moved, backup)
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
            _delete_stale(self.dest, stale)
            fsync_dir(self.dest)
        finally:
            _release_lock(backup_lock)
            shutil.rmtree(backup, ignore_errors=True)

    def _rollback(self, moved: list[str], backup: Path) -> None:
        for rel in reversed(moved):
            saved = backup / rel
            if saved.exists():
                os.replace(saved, self.dest / rel)
            else:
                (self.dest / rel).unlink(missing_ok=True)
