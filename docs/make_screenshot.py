"""Make docs/screenshot-chat.png (the chat over seeds/ answering "What did Budrys say?") and
docs/screenshot-viewer.png (its second citation opened in the document, highlighted).

Run from the project root: `.venv/bin/python docs/make_screenshot.py` (needs Debian's chromium).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from index import OFFLINE_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def main() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **OFFLINE_ENVIRONMENT, "ASSISTANT_INDEX_DIR": tmp}
        cli = [sys.executable, "-m", "assistant.cli"]
        subprocess.run([*cli, "ingest", "seeds/"], cwd=ROOT, env=env, check=True)
        server = subprocess.Popen([*cli, "serve", "--port", str(port)], cwd=ROOT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(240):
                try:
                    if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(base + "/")
                page.fill("#question textarea", "What did Budrys say?")
                page.keyboard.press("Enter")
                page.wait_for_selector("#chat .footnote", timeout=60_000)
                page.locator("#chat .footnote summary").first.click()
                page.wait_for_timeout(300)
                page.screenshot(path=str(ROOT / "docs" / "screenshot-chat.png"))
                answer = httpx.post(f"{base}/api/ask", json={"question": "What did Budrys say?"}, timeout=120).json()
                viewer = browser.new_page(viewport={"width": 1000, "height": 640})
                viewer.goto(base + answer["citations"][-1]["url"])
                viewer.wait_for_selector("mark#cited")
                viewer.wait_for_timeout(300)
                viewer.screenshot(path=str(ROOT / "docs" / "screenshot-viewer.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("wrote docs/screenshot-chat.png and docs/screenshot-viewer.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
