"""Headless Chromium driven through the DevTools protocol over a pipe, for the HTML
report's tests: load a page, collect its console errors, read where its plots are, take a
full-page screenshot.

Why the DevTools protocol rather than ``chromium --screenshot`` with
``--enable-logging=stderr``: the log prints every console message at one level (an
``console.error`` cannot be told from a ``console.log``) and says nothing of a resource that
failed to load; the protocol reports each console call with its level, uncaught
exceptions, failed loads (Log.entryAdded at level "error"), the layout, and the screenshot,
in one browser session. ``--remote-debugging-pipe`` (messages on fds 3 and 4, NUL
separated) needs no WebSocket client, so nothing beyond the standard library is needed.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from typing import Any, Dict, List, Optional, Tuple

EXECUTABLES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str:
    for name in EXECUTABLES:
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("no Chromium on PATH: scripts/bootstrap installs Debian's chromium")


class Chromium:
    """One headless browser; ``load()`` pages in it one after another."""

    def __init__(self, width: int = 1100, timeout: float = 60.0) -> None:
        self.width = width
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="metricaudit-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # Chromium reads fd 3 and writes fd 4. The child ends are moved above 9 first, so
        # that the redirections cannot clobber one with the other (bash: dash reads fds < 10).
        r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
        w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
        os.close(to_child_r)
        os.close(from_child_w)
        argv = [find_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--remote-debugging-pipe", "--no-first-run",
                "--disable-extensions", f"--user-data-dir={self._profile}", "about:blank"]
        self._proc = subprocess.Popen(
            ["/bin/bash", "-c", f'exec "$@" 3<&{r} {r}<&- 4>&{w} {w}>&-', "chromium", *argv],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(r, w))
        os.close(r)
        os.close(w)
        self._next_id = 0
        self._buffer = b""
        self._events: List[Dict[str, Any]] = []
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._call("Target.attachToTarget",
                                   {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Runtime.enable", "Log.enable", "Page.enable"):
            self._call(method, session=True)
        self._call("Emulation.setDeviceMetricsOverride",
                   {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                   session=True)

    # ---- protocol
    def _send(self, method: str, params: Optional[Dict[str, Any]], session: bool) -> int:
        self._next_id += 1
        msg: Dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self._session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        return self._next_id

    def _read(self) -> Dict[str, Any]:
        import select
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_child], [], [], self.timeout)
            if not ready:
                raise TimeoutError("Chromium did not answer within %.0f s" % self.timeout)
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _call(self, method: str, params: Optional[Dict[str, Any]] = None,
              session: bool = False) -> Dict[str, Any]:
        wanted = self._send(method, params, session)
        while True:
            msg = self._read()
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self._events.append(msg)

    def _wait_event(self, method: str) -> None:
        for i, e in enumerate(self._events):
            if e["method"] == method:
                del self._events[i]
                return
        while True:
            msg = self._read()
            if msg.get("method") == method:
                return
            if "method" in msg:
                self._events.append(msg)

    # ---- pages
    def load(self, path: str) -> "Page":
        """Loads the file, returns its console errors, plot boxes and a screenshot."""
        self._events.clear()
        self._call("Page.navigate", {"url": "file://" + os.path.abspath(path)}, session=True)
        self._wait_event("Page.loadEventFired")
        layout = self._call("Runtime.evaluate", {
            "expression": "JSON.stringify({height: document.documentElement.scrollHeight, "
                          "plots: [...document.querySelectorAll('figure.plot svg')].map(e => {"
                          "const r = e.getBoundingClientRect(); return {x: r.x, y: r.y + "
                          "window.scrollY, width: r.width, height: r.height, "
                          "kind: e.parentElement.className}; })})",
            "returnByValue": True}, session=True)["result"]["value"]
        layout = json.loads(layout)
        shot = self._call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": self.width, "height": layout["height"], "scale": 1}},
            session=True)
        # Drain what arrived with the screenshot, then read the console's verdict.
        errors = []
        for e in self._events:
            p = e.get("params", {})
            if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append("console." + p["type"] + ": " + " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif e["method"] == "Runtime.exceptionThrown":
                errors.append("exception: " + p["exceptionDetails"].get("text", "") + " " +
                              str(p["exceptionDetails"].get("exception", {}).get("description", "")))
            elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
                errors.append("log: " + p["entry"]["text"] + " " + p["entry"].get("url", ""))
        return Page(errors, layout["plots"], base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            self._send("Browser.close", None, False)
            self._proc.wait(timeout=15)
        except Exception:  # noqa: BLE001 - a hung browser is killed below
            pass
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> "Chromium":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Page:
    def __init__(self, errors: List[str], plots: List[Dict[str, Any]], png: bytes) -> None:
        self.errors = errors
        self.plots = plots
        self.png = png

    def image(self) -> Any:
        import io

        from PIL import Image
        return Image.open(io.BytesIO(self.png)).convert("RGB")


def ink(image: Any, box: Dict[str, Any]) -> Tuple[float, Dict[Tuple[int, int, int], int]]:
    """The fraction of non-white pixels in the box and the count of each colour there."""
    region = image.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]),
                         int(box["y"] + box["height"])))
    colours = region.getcolors(maxcolors=1 << 20) or []
    total = sum(n for n, _ in colours) or 1
    white = sum(n for n, c in colours if min(c) >= 245)
    return 1.0 - white / total, {c: n for n, c in colours}


def pixels_near(colours: Dict[Tuple[int, int, int], int], hex_colour: str, tol: int = 40) -> int:
    """Pixels within `tol` (per channel) of the colour, e.g. '#1f5fa8'."""
    target = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return sum(n for c, n in colours.items()
               if all(abs(a - b) <= tol for a, b in zip(c, target)))
