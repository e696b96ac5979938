#!/usr/bin/env python3
"""The upload benchmark's driver (see scripts/bench/upload).

    upload.py make-wheel PATH NAME MIB
    upload.py run RUNS PBX CURL WHEEL NAME

Runs under the test venv's Python (pypiserver and waitress importable).
"""

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def make_wheel(path, name, mib):
    import zipfile

    def b64(d):
        return base64.urlsafe_b64encode(d).rstrip(b"=").decode()

    meta = (f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0.0\n"
            "Summary: a big wheel for the upload benchmark\nRequires-Python: >=3.9\n").encode()
    wheel = b"Wheel-Version: 1.0\nGenerator: pbx-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    info = f"{name}-1.0.0.dist-info"
    with zipfile.ZipFile(path + ".part", "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        h = hashlib.sha256()
        n = 0
        with z.open(f"{name}/blob.bin", "w", force_zip64=True) as f:
            for _ in range(mib):
                chunk = os.urandom(1 << 20)
                h.update(chunk)
                f.write(chunk)
                n += len(chunk)
        record.append(f"{name}/blob.bin,sha256={b64(h.digest())},{n}")
        for member, data in [(f"{name}/__init__.py", b""), (f"{info}/METADATA", meta),
                             (f"{info}/WHEEL", wheel)]:
            z.writestr(member, data)
            record.append(f"{member},sha256={b64(hashlib.sha256(data).digest())},{len(data)}")
        record.append(f"{info}/RECORD,,")
        z.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    os.replace(path + ".part", path)


class Server:
    """A fresh pypiserver (waitress, 4 GiB body cap) per run."""

    SERVE = (
        "import sys, pypiserver, waitress\n"
        "app = pypiserver.app(roots=[sys.argv[1]], authenticate=[], password_file='.',"
        " disable_fallback=True)\n"
        "waitress.serve(app, host='127.0.0.1', port=int(sys.argv[2]),"
        " max_request_body_size=4 << 30, _quiet=True)\n"
    )

    def __init__(self, work):
        self.work = work
        self.proc = None
        self.packages = os.path.join(work, "packages")
        self.url = None

    def start(self):
        shutil.rmtree(self.packages, ignore_errors=True)
        os.makedirs(self.packages)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.SERVE, self.packages, str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}/"
        for _ in range(200):
            try:
                urllib.request.urlopen(self.url + "simple/", timeout=1).read()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("bench: pypiserver did not start")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait()
            self.proc = None


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def run(runs, pbx, curl, wheel, name):
    local_sha = sha256_file(wheel)
    size = os.path.getsize(wheel)
    work = tempfile.mkdtemp()
    server = Server(work)
    landed = {}
    try:
        def command(label, argv_for):
            cmd = harness.Command(label, [])

            def before():
                server.start()
                cmd.argv[:] = argv_for(server.url)

            def after(_run):
                stored = os.path.join(server.packages, os.path.basename(wheel))
                ok = (os.path.isfile(stored) and os.path.getsize(stored) == size
                      and sha256_file(stored) == local_sha)
                landed[label] = landed.get(label, True) and ok
                server.stop()

            cmd.before, cmd.after = before, after
            cmd.env = dict(os.environ, UV_NO_CONFIG="1")
            return cmd

        cmds = [
            command("pbx-upload", lambda url: [
                pbx, "--repository", url, "--trusted-publishing", "never",
                "--max-file-size", "2GiB", wheel]),
            command("curl -F", lambda url: [
                curl, "-sS", "-f", "-o", "/dev/null",
                "-F", ":action=file_upload", "-F", "protocol_version=1",
                "-F", f"name={name}", "-F", "version=1.0.0",
                "-F", "filetype=bdist_wheel", "-F", "pyversion=py3",
                "-F", f"content=@{wheel};type=application/octet-stream", url]),
        ]
        # The argv is set by `before`; give it one for the error message.
        for cmd in cmds:
            cmd.argv[:] = [cmd.name]
        result = harness.run(cmds, runs, 1)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(harness.markdown(result))
    print()
    print(harness.ratio_line(result, 1, 0).replace("Ratio", "Ratio (target ≤ 1.1×)"))
    print("Landed intact (size and sha256 of the stored file, every run): " + ", ".join(
        f"{label}: {'yes' if ok else 'NO'}" for label, ok in landed.items()) + ".")


def main():
    if sys.argv[1] == "make-wheel":
        make_wheel(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "run":
        run(int(sys.argv[2]), *sys.argv[3:7])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
