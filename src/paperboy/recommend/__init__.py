"""Personal picks: a small per-reader model over papers' words, fused with their embeddings.

``model.rank`` takes plain items (id, text, optional MiniLM vector), so the same code ranks
for ``/for-you``, the digest and ``bench/bench_recs.py``; ``core/foryou.py`` feeds it from
the store.
"""
