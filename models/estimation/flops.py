"""FLOP counts of inference and training, under two conventions.

- ``a16z``: the article's rule. A request of n tokens in and n out costs 2·n·p FLOPs, i.e. p
  FLOPs per processed token (2 per parameter, each parameter used for either the input or the
  output side); training costs 6·p per token.
- ``decoder``: a decoder-only transformer. 2 FLOPs per *active* parameter per token plus
  attention: per layer and context token, 2·heads·(d_qk + d_v) (QK^T and AV; 4·heads·head_dim
  for standard attention as in LLM-Viewer, llm-analysis, Vidur). MLA (DeepSeek-V2/V3) decodes
  with the projections absorbed into the latent: d_qk = kv_lora_rank + rope dim and
  d_v = kv_lora_rank (about 4x standard attention of the same heads); its prefill runs the
  expanded form, d_qk = nope + rope dim, d_v = value head dim. Training is 3 forward-equivalents
  (4 with activation recomputation).

All functions take numpy arrays (or scalars) and broadcast.
"""

from __future__ import annotations

import numpy as np


def attention_dims(n_heads, head_dim, kv_lora_rank, qk_rope_head_dim, qk_nope_head_dim,
                   absorbed):
    """Per-layer attention width 2·heads·(d_qk + d_v): FLOPs per token per context token.
    ``absorbed`` selects MLA's decode form. Unknown shapes (NaN) count 0."""
    heads = np.nan_to_num(np.asarray(n_heads, dtype=np.float64))
    d_head = np.nan_to_num(np.asarray(head_dim, dtype=np.float64))
    rank = np.nan_to_num(np.asarray(kv_lora_rank, dtype=np.float64))
    rope = np.nan_to_num(np.asarray(qk_rope_head_dim, dtype=np.float64))
    nope = np.nan_to_num(np.asarray(qk_nope_head_dim, dtype=np.float64))
    mla = np.where(absorbed, (rank + rope) + rank, (nope + rope) + d_head)
    return 2.0 * heads * np.where(rank > 0, mla, 2.0 * d_head)


def per_token(active_params, n_layers, attention_width, context_tokens, total_params, a16z):
    """FLOPs of one token attending to ``context_tokens`` (a16z: p per processed token)."""
    attention = np.nan_to_num(np.asarray(n_layers, dtype=np.float64)) * attention_width
    decoder = 2.0 * np.asarray(active_params) + attention * context_tokens
    return np.where(a16z, total_params, decoder)


def training_flops(total_params, active_params, n_layers, attention_width, training_tokens,
                   sequence_length, a16z, activation_recompute=False):
    """Training FLOPs: 6·p·D (a16z), or 3 forward passes of the decoder count per token
    (4 with full activation recomputation, i.e. 8·p·D)."""
    forward_passes = np.where(activation_recompute, 4.0, 3.0)
    decoder = per_token(active_params, n_layers, attention_width,
                        np.asarray(sequence_length) / 2, total_params, False)
    per = np.where(a16z, 2.0 * np.asarray(total_params), decoder)
    return forward_passes * per * training_tokens
