"""The layers hold: the core imports no web framework, and no module acts when imported."""

from __future__ import annotations

import json
import subprocess
import sys

# Imports every module of a package in a fresh interpreter and reports what it pulled in.
_PROBE = """
import concurrent.futures, importlib, json, os, pathlib, sys, threading
env, threads, pools = dict(os.environ), threading.active_count(), []
made = concurrent.futures.ThreadPoolExecutor.__init__
def spy(self, *a, **k):  # a pool starts no thread until used, so count the pools made
    pools.append(k.get("thread_name_prefix", ""))
    made(self, *a, **k)
concurrent.futures.ThreadPoolExecutor.__init__ = spy
root = importlib.import_module(sys.argv[1])
base = pathlib.Path(root.__file__).parent  # api/ and web/ are namespace packages: walk files
names = sorted(
    ".".join((root.__name__, *f.relative_to(base).with_suffix("").parts)).removesuffix(".__init__")
    for f in base.rglob("*.py")
)
for name in names:
    if not name.endswith("__main__"):
        importlib.import_module(name)
changed = sorted(k for k in {*env, *os.environ} if env.get(k) != os.environ.get(k))
print(json.dumps({
    "modules": names,
    "tops": sorted({m.split(".")[0] for m in sys.modules}),
    "env_changed": changed,
    "new_threads": threading.active_count() - threads,
    "pools": pools,
}))
"""

# The web stack and the CLI framework. (httpx itself imports click and rich for its own CLI.)
# Jinja2 is not among them: the mailer, which use cases such as sign-in call, renders its
# bodies with it; what matters is that no use case needs the web app to run.
WEB = {"fastapi", "starlette", "uvicorn", "typer"}


def probe(package: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, package], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_the_core_imports_no_web_framework_nor_typer():
    got = probe("paperboy.core")
    assert {"paperboy.core.lists", "paperboy.core.harvest", "paperboy.core.embed"} <= set(
        got["modules"]
    )
    assert WEB & set(got["tops"]) == set()


def test_mail_imports_no_web_framework_nor_typer():
    """Mail is shared by the web app, the CLI and the digest job; Jinja2 is only templates."""
    got = probe("paperboy.mail")
    assert {"paperboy.mail.compose", "paperboy.mail.send"} <= set(got["modules"])
    assert WEB & set(got["tops"]) == set()


def test_importing_any_module_starts_no_thread_and_changes_no_environment():
    got = probe("paperboy")
    assert "paperboy.web.app" in got["modules"] and "paperboy.cli.app" in got["modules"]
    assert got["env_changed"] == []
    assert got["new_threads"] == 0 and got["pools"] == []
