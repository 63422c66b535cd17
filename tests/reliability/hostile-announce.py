#!/usr/bin/python3
"""hostile-announce.py — RELIABILITY 18-20 on the socket: malformed announcements
(bad magic, wrong version, lying lengths, oversized, path tricks, a descriptor that is
not a region, extra descriptors, silent and too many connections) are refused one by one;
the collector stays up, and a normal traced run through it afterwards is complete."""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

B = os.environ["top_builddir"]
COLLECTD = os.path.join(B, "provtrace-collectd")
SHIM = os.path.join(B, "interpose/.libs/libprovtrace.so")
MAGIC, VERSION, REGION = 0x50544E41, 1, 1


def hdr(magic=MAGIC, version=VERSION, kind=REGION, length=0):
    return struct.pack("<IHHI", magic, version, kind, length)


def send(sock_path, data, fds=()):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sock_path)
    if fds:
        socket.send_fds(s, [data], list(fds))
    else:
        s.send(data)
    s.close()


def main():
    t = tempfile.mkdtemp(prefix="pt-hostile.")
    spool, work = os.path.join(t, "sp"), os.path.join(t, "wk")
    os.mkdir(spool, 0o700)
    os.mkdir(work, 0o700)
    sock = os.path.join(work, "c.sock")
    log = os.path.join(work, "log")
    out = os.path.join(t, "out.mdb")
    c = subprocess.Popen([COLLECTD, "-s", sock, "-S", spool, "-d", os.path.join(work, "s.mdb"),
                          "-l", log, "-o", out])
    for _ in range(200):
        if os.path.exists(sock):
            break
        time.sleep(0.02)
    name = b"host.1.1.ptr\0"
    bad = [
        (hdr(magic=0xdeadbeef, length=len(name)) + name, ()),
        (hdr(version=99, length=len(name)) + name, ()),
        (hdr(length=1000) + name, ()),                      # a length that lies
        (hdr(length=len(name)) + name + b"x", ()),          # bytes past the length
        (hdr(length=70000) + b"A" * 2000, ()),              # oversized: truncated on receipt
        (hdr(length=14) + b"../etc/x.ptr\0\0", ()),         # a path, not a name
        (hdr(length=10) + b"notregion\0", ()),
        (hdr(kind=77, length=len(name)) + name, ()),
        (b"\x01", ()),
    ]
    for data, fds in bad:
        send(sock, data, fds)
    # a descriptor that is not a region, and three descriptors at once
    with open("/etc/hostname", "rb") as f:
        send(sock, hdr(length=len(name)) + name, [f.fileno()])
        send(sock, hdr(length=len(name)) + name, [f.fileno()] * 3)
    # silent connections, more of them than the collector keeps waiting
    idle = []
    for _ in range(300):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(sock)
        idle.append(s)
    time.sleep(2.5)
    for s in idle:
        s.close()
    # the collector is still there, and a real traced process gets through whole
    assert c.poll() is None, "the collector died"
    env = dict(os.environ, LD_PRELOAD=SHIM, PROVTRACE_SPOOL=spool, PROVTRACE_SOCKET=sock)
    target = os.path.join(t, "written")
    subprocess.run(["/bin/sh", "-c", "echo hostile > " + target], env=env, check=True)
    c.terminate()
    assert c.wait() == 0, "collector exit status %d" % c.returncode
    text = open(log).read()
    malformed = text.count("malformed announcement")
    assert malformed >= 8, "malformed announcements logged: %d\n%s" % (malformed, text)
    assert "not a valid provtrace region" in text, text
    stat = subprocess.run([os.path.join(B, "provtrace-stat"), "--json", out], capture_output=True,
                          check=True, text=True).stdout
    import json
    st = json.loads(stat)
    assert st["processes"] == 1, st
    assert st["bytes_written"] == 8, st
    subprocess.run(["rm", "-rf", t])


if __name__ == "__main__":
    main()
