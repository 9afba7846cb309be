# SPDX-License-Identifier: EUPL-1.2
"""plans.render prints on one Chromium kept running: the second print starts no browser,
and a browser that dies (killed, as a crash would) is started again for the next print."""

import io
import os
import signal
import time
from pathlib import Path

from pypdf import PdfReader

from plans import render

HTML = "<!doctype html><html><body><h1>{title}</h1><div id='box'>{title}</div></body></html>"


def print_one(title: str) -> render.Rendered:
    return render.render("/print-test/", HTML.format(title=title), element_ids=["box"])


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def chromium_browsers() -> set[int]:
    """This process's descendants that are Chromium's main process (not its helpers)."""
    parents, commands = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])

    def ours(pid):
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    return {
        pid
        for pid, command in commands.items()
        if command
        and b"chromium" in command[0]
        # Helpers (zygote, GPU, renderers) say --type=… (in one rewritten argument).
        and b"--type=" not in b" ".join(command)
        and ours(pid)
    }


def printers_browser_started(title: str) -> tuple[render.Rendered, int]:
    """A print on a printer stopped first, and the one Chromium it started (the test
    suite's own browser, if running, is another descendant of this process)."""
    render.PRINTER.submit(render.PRINTER.stop).result()
    before = chromium_browsers()
    printed = print_one(title)
    [started] = chromium_browsers() - before
    return printed, started


def test_it_prints_twice_on_the_same_browser():
    first, browser = printers_browser_started("Ensimmäinen")
    running = chromium_browsers()
    second = print_one("Toinen")

    assert "Ensimmäinen" in text_of(first.pdf) and "Toinen" in text_of(second.pdf)
    assert second.pngs["box"].startswith(b"\x89PNG")
    assert browser in running and chromium_browsers() == running


def test_it_starts_a_new_browser_when_the_running_one_died():
    _printed, dead = printers_browser_started("Ennen")
    others = chromium_browsers() - {dead}
    os.kill(dead, signal.SIGKILL)
    for _ in range(50):  # until it is gone
        if dead not in chromium_browsers():
            break
        time.sleep(0.1)

    after = print_one("Jälkeen")

    assert "Jälkeen" in text_of(after.pdf)
    assert len(chromium_browsers() - others) == 1 and dead not in chromium_browsers()
