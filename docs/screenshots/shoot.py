"""Regenerate the screenshots in this folder from the bundled demo data.

    .venv/bin/python docs/screenshots/shoot.py

Loads the demo papers into a temp database, serves them with uvicorn on a free port and
photographs the home, search and paper pages at desktop and phone width in Debian's
Chromium (light scheme, plus the home page in dark).
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from paperboy.config import load_settings
from paperboy.demo import load_demo
from paperboy.store import open_store
from paperboy.web.app import create_app

HERE = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "demo.db"))
        load_demo(store, load_settings({}).embed_model)
        newest = store.papers.listing_dates()[0]
        with_math = next(
            p for p in store.papers.list_listed(newest, newest, limit=500) if "$" in p.abstract
        )
        config = uvicorn.Config(create_app(load_settings({}), store), port=0, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        pages = {
            "home": "/",
            "search": "/search?q=alignment",
            "paper": f"/papers/{with_math.id}",
        }
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for size, viewport in SIZES.items():
                for scheme in ("light", "dark"):
                    context = browser.new_context(
                        viewport=viewport, color_scheme=scheme, device_scale_factor=1
                    )
                    page = context.new_page()
                    for name, path in pages.items():
                        if scheme == "dark" and name != "home":
                            continue
                        page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        suffix = "" if scheme == "light" else "-dark"
                        out = HERE / f"{name}-{size}{suffix}.png"
                        page.screenshot(path=str(out))
                        print(out.relative_to(HERE.parent.parent))
                    context.close()
            browser.close()
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


if __name__ == "__main__":
    main()
