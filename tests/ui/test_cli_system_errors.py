"""What the machine refuses, said in one sentence (issue 11, item 10): a full disk, a read-only data dir
and a data dir that is a file each get their own Vietnamese line and exit 1, never "lỗi không mong đợi".

The full and read-only file systems are small tmpfs mounts inside a user + mount namespace
(`unshare -Urm`), so no privilege and nothing outside the test is touched."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    try:
        return subprocess.run(["unshare", "-Urm", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_namespaces = pytest.mark.skipif(not _namespaces_work(),
                                      reason="user namespaces (unshare -Urm) are disabled on this machine; "
                                             "they are needed to mount a small or read-only file system")


def in_namespace(hoidap_cmd, cli_env, mount: Path, script: str) -> subprocess.CompletedProcess:
    hoidap = " ".join(shlex.quote(part) for part in hoidap_cmd)
    body = script.replace("HOIDAP", hoidap).replace("MNT", shlex.quote(str(mount)))
    return subprocess.run(["unshare", "-Urm", "sh", "-c", body], capture_output=True, text=True, timeout=180,
                          env=cli_env)


def last_line(done: subprocess.CompletedProcess) -> str:
    return done.stderr.strip().splitlines()[-1]


@needs_namespaces
def test_disk_full_is_named(hoidap_cmd, cli_env, tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    done = in_namespace(hoidap_cmd, cli_env, mount, "mount -t tmpfs -o size=120k tmpfs MNT && "
                        f"HOIDAP index {shlex.quote(str(SEEDS))} --data-dir MNT/data --embed-model lexical")
    assert done.returncode == 1, done.stderr
    assert last_line(done).startswith("hoidap: Hết chỗ trống trên đĩa") and "Traceback" not in done.stderr
    assert "không mong đợi" not in done.stderr


@needs_namespaces
def test_read_only_data_dir_is_named_and_answers_still_work(hoidap_cmd, cli_env, tmp_path):
    mount = tmp_path / "ro"
    mount.mkdir()
    seeds = shlex.quote(str(SEEDS))
    done = in_namespace(hoidap_cmd, cli_env, mount, "mount -t tmpfs -o size=50m tmpfs MNT && "
                        f"HOIDAP index {seeds} --data-dir MNT/data --embed-model lexical >/dev/null 2>&1 && "
                        "mount -o remount,ro MNT && "
                        "HOIDAP ask 'Phường Phước Tân có bao nhiêu đảng viên?' --data-dir MNT/data --mode extractive "
                        f"&& HOIDAP index {seeds} --data-dir MNT/data --embed-model lexical")
    assert done.returncode == 1, done.stderr
    assert "553 đảng viên" in done.stdout  # a read-only index still answers
    line = last_line(done)
    assert line.startswith("hoidap: Không ghi được vào") and "chỉ cho đọc" in line
    assert "không mong đợi" not in done.stderr


def test_data_dir_that_is_a_file_is_named(run_hoidap, tmp_path):
    afile = tmp_path / "data"
    afile.write_text("not a folder", encoding="utf-8")
    for args in (["index", str(SEEDS), "--embed-model", "lexical"], ["ask", "Phước Tân có bao nhiêu đảng viên?"],
                 ["info"]):
        done = run_hoidap(*args, "--data-dir", afile)
        assert done.returncode == 1, done.stderr
        assert done.stderr.strip() == (f"hoidap: Thư mục dữ liệu {afile} đang là một tệp, không phải thư mục: hãy "
                                       "chọn --data-dir (HOIDAP_DATA_DIR) khác (the data dir is a file).")
