#!/usr/bin/env python3
"""Drives an interactive bash on a pseudo-terminal as a person would: loads a completion script,
types lines that end in TAB presses and prints what the terminal showed (the transcript).

Usage: bash-tab.py COMPLETION_SCRIPT LINE...   ("\\t" in a LINE is a TAB press; after each LINE
Ctrl-C abandons it, so the next one starts on a new prompt). Each wait is
bounded; the shell is ended with 'exit' and killed by its pid if it does not end.
"""
import os
import pty
import select
import signal
import sys
import time

completion, lines = sys.argv[1], sys.argv[2:]
env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/"),
       "TERM": "dumb", "PS1": "$ ", "INPUTRC": "/dev/null", "LC_ALL": "C.UTF-8"}
pid, fd = pty.fork()
if pid == 0:
    os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)

shown = b""


def read(until=None, bound=20.0, quiet=0.5):
    """Reads until `until` was shown (or, without it, `quiet` seconds pass with nothing new)."""
    global shown
    deadline = time.monotonic() + bound
    start = len(shown)
    last = time.monotonic()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            if not data:
                return
            shown += data
            last = time.monotonic()
            if until is not None and until in shown[start:]:
                return
        elif until is None and time.monotonic() - last > quiet:
            return


try:
    read(b"$ ")
    os.write(fd, b"source " + completion.encode() + b"\n")
    read(b"\n$ ")
    for line in lines:
        parts = line.encode().split(b"\\t")
        for i, part in enumerate(parts):
            os.write(fd, part)
            read(quiet=0.3)
            if i < len(parts) - 1:
                os.write(fd, b"\t")
                read(quiet=1.0)
        os.write(fd, b"\x03")  # Ctrl-C: abandon the line, a new prompt
        read(b"$ ")
    os.write(fd, b"exit\n")
    read(bound=10)
finally:
    try:
        os.waitpid(pid, os.WNOHANG) == (0, 0) and os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
text = shown.decode("utf-8", "replace").replace("\r", "").replace("\x07", "")
sys.stdout.write(text)
