"""FLOP counts of inference and training, under two conventions.

- ``a16z``: the article's rule. A request of n tokens in and n out costs 2·n·p FLOPs, i.e. p
  FLOPs per processed token (2 per parameter, each parameter used for either the input or the
  output side); training costs 6·p per token.
- ``decoder``: a decoder-only transformer. 2 FLOPs per *active* parameter per token plus the
  attention term 4·L·d_attn·context per token (LLM-Viewer, llm-analysis, Vidur); training is
  3 forward-equivalents (4 with activation recomputation).

All functions take numpy arrays (or scalars) and broadcast.
"""

from __future__ import annotations

import numpy as np


def _attention(n_layers, attention_width, context_tokens):
    """Attention FLOPs per token: QK^T and AV, 2 FLOPs each per head dim per context token."""
    return 4.0 * n_layers * attention_width * context_tokens


def prefill_flops_per_token(total_params, active_params, n_layers, attention_width,
                            input_tokens, a16z):
    """Mean FLOPs per prompt token; a causal prompt attends to (input_tokens + 1) / 2 tokens."""
    decoder = 2.0 * active_params + _attention(n_layers, attention_width, (input_tokens + 1) / 2)
    return np.where(a16z, total_params, decoder)


def decode_flops_per_token(total_params, active_params, n_layers, attention_width,
                           input_tokens, output_tokens, a16z):
    """Mean FLOPs per generated token, attending to input_tokens + output_tokens / 2 tokens."""
    context = input_tokens + output_tokens / 2
    decoder = 2.0 * active_params + _attention(n_layers, attention_width, context)
    return np.where(a16z, total_params, decoder)


def request_flops(total_params, active_params, n_layers, attention_width, input_tokens,
                  output_tokens, a16z):
    """FLOPs of one request: prompt plus generated tokens (a16z: 2·n·p for n in and n out)."""
    prefill = prefill_flops_per_token(total_params, active_params, n_layers, attention_width,
                                      input_tokens, a16z)
    decode = decode_flops_per_token(total_params, active_params, n_layers, attention_width,
                                    input_tokens, output_tokens, a16z)
    return input_tokens * prefill + output_tokens * decode


def training_flops(total_params, active_params, n_layers, attention_width, training_tokens,
                   sequence_length, a16z, activation_recompute=False):
    """Training FLOPs: 6·p·D (a16z), or 3 forward passes of the decoder count per token
    (4 with full activation recomputation, i.e. 8·p·D)."""
    forward_passes = np.where(activation_recompute, 4.0, 3.0)
    decoder = 2.0 * active_params + _attention(n_layers, attention_width, sequence_length / 2)
    per_token = np.where(a16z, 2.0 * total_params, decoder)
    return forward_passes * per_token * training_tokens
