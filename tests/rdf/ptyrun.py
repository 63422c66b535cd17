# ptyrun.py CMD [ARG...] — run CMD with its standard error (and input) on a pseudo-
# terminal and its standard output on /dev/null; print what it wrote to the terminal,
# "\r" turned into "\n" so that each redraw of a progress bar is a line, without the
# erase-to-end-of-line sequences and empty lines; exit with its status.  For tests/rdf/progress.sh.
import os
import pty
import subprocess
import sys

master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=subprocess.DEVNULL, stderr=slave)
os.close(slave)
got = b""
while True:
    try:
        data = os.read(master, 65536)
    except OSError:      # EIO: the last holder of the terminal closed it
        break
    if not data:
        break
    got += data
rc = p.wait()
text = got.decode("utf-8", "replace").replace("\x1b[K", "").replace("\r", "\n")
sys.stdout.write("".join(line + "\n" for line in text.split("\n") if line))
sys.exit(rc)
