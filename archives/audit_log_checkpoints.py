"""Signed checkpoints of the audit log, kept outside the database.

A checkpoint is a small JSON file in ``settings.AUDIT_LOG_CHECKPOINT_DIR``: how many entries
the chain held (``seq``), the last entry's hash, when, and an HMAC over these under
``AUDIT_LOG_KEY``. Someone who holds the key and can write to the database could rebuild a
consistent chain after deleting an entry; the chain would then no longer reach, with the same
hash, the count that an earlier checkpoint recorded. Files are only ever added, one per
checkpoint (``audit_log_checkpoint`` daily from cron, and ``verify_audit_log --checkpoint``
on demand); copying them off the machine is what makes them an anchor (README).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .audit_log import SCHEME, audit_log_mac

PREFIX = "audit-log-"
# Keeps a checkpoint's MAC from ever being mistaken for an entry's (both are under one key).
DOMAIN = b"dossier_audit audit-log checkpoint v1\n"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    last_hash: str
    at: dt.datetime
    path: Path

    @property
    def label(self) -> str:
        return f"{self.path.name}（{timezone.localtime(self.at):%Y-%m-%d %H:%M}）"


def _signed_fields(seq: int, last_hash: str, at: str) -> bytes:
    return DOMAIN + json.dumps({"seq": seq, "last_hash": last_hash, "at": at, "scheme": SCHEME}, sort_keys=True, separators=(",", ":")).encode()


def checkpoint_directory() -> Path:
    return Path(settings.AUDIT_LOG_CHECKPOINT_DIR)


def checkpoint_write(*, seq: int, last_hash: str) -> Path:
    """Write one signed checkpoint (a new file, never overwriting another) and return its path."""
    directory = checkpoint_directory()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = timezone.now().astimezone(dt.UTC)
    at = now.isoformat(timespec="microseconds")
    body = {"seq": seq, "last_hash": last_hash, "at": at, "scheme": SCHEME, "mac": audit_log_mac(_signed_fields(seq, last_hash, at))}
    path = directory / f"{PREFIX}{now:%Y%m%dT%H%M%S%fZ}-{seq:012d}.json"
    # Written whole then linked into place: a reader never meets half a file, and an existing
    # checkpoint of the same name (clock set back) is never replaced.
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return path


def _read_one(path: Path) -> Checkpoint:
    body = json.loads(path.read_text(encoding="utf-8"))
    seq, last_hash, at, mac = int(body["seq"]), str(body["last_hash"]), str(body["at"]), str(body["mac"])
    if body.get("scheme") != SCHEME or not hmac.compare_digest(audit_log_mac(_signed_fields(seq, last_hash, at)), mac):
        raise ValueError("signature")
    return Checkpoint(seq=seq, last_hash=last_hash, at=dt.datetime.fromisoformat(at), path=path)


def checkpoints_read() -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint in the directory, by serial number then time, and a message for each
    file that is not a genuine checkpoint (unreadable, or its signature does not match)."""
    directory = checkpoint_directory()
    if not directory.is_dir():
        return [], []
    checkpoints, problems = [], []
    for path in sorted(directory.glob(f"{PREFIX}*.json")):
        try:
            checkpoints.append(_read_one(path))
        except ValueError as exc:
            reason = "签名不符（被改动或伪造，或 AUDIT_LOG_KEY 与写入时不同）" if str(exc) == "signature" else "无法读取"
            problems.append(f"检查点文件 {path.name} {reason}")
        except (OSError, KeyError, TypeError):
            problems.append(f"检查点文件 {path.name} 无法读取")
    checkpoints.sort(key=lambda cp: (cp.seq, cp.at))
    return checkpoints, problems
