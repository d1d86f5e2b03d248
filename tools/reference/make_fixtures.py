#!/usr/bin/env python3
"""Reference values for Hearth's engine, computed once with PyTorch in float64.

For a small GPT block, a small Llama block, a two-layer LSTM and a conv net, this script fixes
weights and inputs from a seed, runs forward and backward, and writes everything Hearth's tests
need into one safetensors file per model under engine/src/test/resources/fixtures/:

  param.<hearth parameter name>   the weights, named as Hearth names them
  input.<name>                    inputs (and input.targets for the conv net, as floats)
  upstream                        the random weights w of the loss sum(output * w), where used
  output                          the forward output
  loss                            the scalar loss
  grad.<hearth parameter name>    the gradient of the loss for every parameter
  grad.input.<name>               the gradient with respect to the input

plus the model configuration in the header metadata. Tensors are stored as F32 (rounded from
the float64 results). Run it with Debian's python3-torch:

  /usr/bin/python3 tools/reference/make_fixtures.py

It needs no safetensors package: the format is written by hand below.
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "src", "test", "resources", "fixtures")


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: u64 little-endian header size, JSON header padded to 8, packed data."""
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_(True)


def causal_attention(q, k, v):
    """q (B, T, H, D), k and v (B, T, Hkv, D) -> (B, T, H, D); kv head j serves query heads j*g..(j+1)*g-1."""
    b, t, h, d = q.shape
    hkv = k.shape[2]
    k = k.repeat_interleave(h // hkv, dim=2)
    v = v.repeat_interleave(h // hkv, dim=2)
    q, k, v = (x.transpose(1, 2) for x in (q, k, v))  # (B, H, T, D)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    scores = scores.masked_fill(mask, float("-inf"))
    return (scores.softmax(-1) @ v).transpose(1, 2)


def rope(x, theta):
    """Hugging Face's rotate-half rotary embedding of x (B, T, H, D) at positions 0..T-1."""
    d = x.shape[-1]
    inv = theta ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    ang = torch.arange(x.shape[1], dtype=torch.float64)[:, None] * inv[None, :]  # (T, D/2)
    cos = torch.cat([ang.cos(), ang.cos()], -1)[None, :, None, :]
    sin = torch.cat([ang.sin(), ang.sin()], -1)[None, :, None, :]
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def save(name, params, inputs, output, loss, metadata, upstream=None):
    loss.backward()
    tensors = {}
    for k, p in params.items():
        tensors["param." + k] = p
    for k, x in inputs.items():
        tensors["input." + k] = x
    if upstream is not None:
        tensors["upstream"] = upstream
    tensors["output"] = output
    tensors["loss"] = loss.reshape(())
    for k, p in params.items():
        tensors["grad." + k] = p.grad
    for k, x in inputs.items():
        if x.requires_grad:
            tensors["grad.input." + k] = x.grad
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name + ".safetensors")
    write_safetensors(path, tensors, metadata)
    print(f"{os.path.relpath(path)}: {len(tensors)} tensors, loss {loss.item():.10g}")


def gpt_block():
    """Pre-norm block: LayerNorm, 4-head causal attention with biases, exact-GELU MLP (hidden 4C)."""
    torch.manual_seed(1)
    b, t, c, h = 2, 7, 16, 4
    p = {
        "norm1.weight": leaf(c, scale=0.3) , "norm1.bias": leaf(c, scale=0.1),
        "attn.q_proj.weight": leaf(c, c, scale=0.3), "attn.q_proj.bias": leaf(c, scale=0.1),
        "attn.k_proj.weight": leaf(c, c, scale=0.3), "attn.k_proj.bias": leaf(c, scale=0.1),
        "attn.v_proj.weight": leaf(c, c, scale=0.3), "attn.v_proj.bias": leaf(c, scale=0.1),
        "attn.o_proj.weight": leaf(c, c, scale=0.3), "attn.o_proj.bias": leaf(c, scale=0.1),
        "norm2.weight": leaf(c, scale=0.3), "norm2.bias": leaf(c, scale=0.1),
        "mlp.fc.weight": leaf(4 * c, c, scale=0.3), "mlp.fc.bias": leaf(4 * c, scale=0.1),
        "mlp.proj.weight": leaf(c, 4 * c, scale=0.3), "mlp.proj.bias": leaf(c, scale=0.1),
    }
    with torch.no_grad():
        p["norm1.weight"] += 1
        p["norm2.weight"] += 1
    x = leaf(b, t, c)
    hd = c // h
    n1 = F.layer_norm(x, (c,), p["norm1.weight"], p["norm1.bias"], 1e-5)
    q = F.linear(n1, p["attn.q_proj.weight"], p["attn.q_proj.bias"]).view(b, t, h, hd)
    k = F.linear(n1, p["attn.k_proj.weight"], p["attn.k_proj.bias"]).view(b, t, h, hd)
    v = F.linear(n1, p["attn.v_proj.weight"], p["attn.v_proj.bias"]).view(b, t, h, hd)
    a = F.linear(causal_attention(q, k, v).reshape(b, t, c), p["attn.o_proj.weight"], p["attn.o_proj.bias"])
    x1 = x + a
    n2 = F.layer_norm(x1, (c,), p["norm2.weight"], p["norm2.bias"], 1e-5)
    m = F.linear(F.gelu(F.linear(n2, p["mlp.fc.weight"], p["mlp.fc.bias"])), p["mlp.proj.weight"], p["mlp.proj.bias"])
    y = x1 + m
    w = torch.randn(b, t, c)
    save("gpt_block", p, {"x": x}, y, (y * w).sum(),
         {"dim": c, "heads": h, "kv_heads": h, "hidden": 4 * c, "norm_eps": 1e-5, "mlp": "GELU"}, upstream=w)


def llama_block():
    """Pre-norm block: RMSNorm, grouped-query attention (4 heads, 2 kv heads) with RoPE, SwiGLU, no biases."""
    torch.manual_seed(2)
    b, t, c, h, hkv, hidden, theta, eps = 2, 6, 16, 4, 2, 24, 10000.0, 1e-6
    hd = c // h
    p = {
        "norm1.weight": leaf(c, scale=0.3),
        "attn.q_proj.weight": leaf(c, c, scale=0.3),
        "attn.k_proj.weight": leaf(hkv * hd, c, scale=0.3),
        "attn.v_proj.weight": leaf(hkv * hd, c, scale=0.3),
        "attn.o_proj.weight": leaf(c, c, scale=0.3),
        "norm2.weight": leaf(c, scale=0.3),
        "mlp.gate_proj.weight": leaf(hidden, c, scale=0.3),
        "mlp.up_proj.weight": leaf(hidden, c, scale=0.3),
        "mlp.down_proj.weight": leaf(c, hidden, scale=0.3),
    }
    with torch.no_grad():
        p["norm1.weight"] += 1
        p["norm2.weight"] += 1
    x = leaf(b, t, c)
    n1 = rms_norm(x, p["norm1.weight"], eps)
    q = rope(F.linear(n1, p["attn.q_proj.weight"]).view(b, t, h, hd), theta)
    k = rope(F.linear(n1, p["attn.k_proj.weight"]).view(b, t, hkv, hd), theta)
    v = F.linear(n1, p["attn.v_proj.weight"]).view(b, t, hkv, hd)
    x1 = x + F.linear(causal_attention(q, k, v).reshape(b, t, c), p["attn.o_proj.weight"])
    n2 = rms_norm(x1, p["norm2.weight"], eps)
    m = F.linear(F.silu(F.linear(n2, p["mlp.gate_proj.weight"])) * F.linear(n2, p["mlp.up_proj.weight"]),
                 p["mlp.down_proj.weight"])
    y = x1 + m
    w = torch.randn(b, t, c)
    save("llama_block", p, {"x": x}, y, (y * w).sum(),
         {"dim": c, "heads": h, "kv_heads": hkv, "hidden": hidden, "rope_theta": theta, "norm_eps": eps,
          "mlp": "SWIGLU"}, upstream=w)


def lstm():
    """Two-layer LSTM, batch first; loss = sum(output * w) + sum(h_n * w_h) + sum(c_n * w_c)."""
    torch.manual_seed(3)
    b, t, n_in, hidden, layers = 3, 5, 4, 6, 2
    net = torch.nn.LSTM(n_in, hidden, layers, batch_first=True)
    params = dict(net.named_parameters())
    x = leaf(b, t, n_in)
    out, (hn, cn) = net(x)
    w = torch.randn(b, t, hidden)
    wh = torch.randn(layers, b, hidden)
    wc = torch.randn(layers, b, hidden)
    loss = (out * w).sum() + (hn * wh).sum() + (cn * wc).sum()
    # The state weights are stored with the model inputs so the test can rebuild the same loss.
    save("lstm", params, {"x": x, "w_h": wh, "w_c": wc}, out, loss,
         {"input": n_in, "hidden": hidden, "layers": layers}, upstream=w)


def conv_net():
    """CnnClassifier on 20x20 images: conv 3x3 (4) -> relu -> pool 2 -> conv (8) -> relu -> pool 2 ->
    conv (8) -> relu -> flatten -> dense 16 -> relu -> dense 10; mean cross-entropy against targets."""
    torch.manual_seed(4)
    n, side, c1, c2, c3, dense, classes = 3, 20, 4, 8, 8, 16, 10
    p = {
        "features.0.weight": leaf(c1, 1, 3, 3, scale=0.4), "features.0.bias": leaf(c1, scale=0.1),
        "features.3.weight": leaf(c2, c1, 3, 3, scale=0.3), "features.3.bias": leaf(c2, scale=0.1),
        "features.6.weight": leaf(c3, c2, 3, 3, scale=0.3), "features.6.bias": leaf(c3, scale=0.1),
        "head.1.weight": leaf(dense, c3 * 1 * 1, scale=0.4), "head.1.bias": leaf(dense, scale=0.1),
        "head.3.weight": leaf(classes, dense, scale=0.4), "head.3.bias": leaf(classes, scale=0.1),
    }
    x = leaf(n, 1, side, side)
    targets = torch.tensor([3, 0, 7])
    h = F.max_pool2d(F.relu(F.conv2d(x, p["features.0.weight"], p["features.0.bias"])), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, p["features.3.weight"], p["features.3.bias"])), 2)
    h = F.relu(F.conv2d(h, p["features.6.weight"], p["features.6.bias"])).flatten(1)
    h = F.relu(F.linear(h, p["head.1.weight"], p["head.1.bias"]))
    logits = F.linear(h, p["head.3.weight"], p["head.3.bias"])
    loss = F.cross_entropy(logits, targets)
    save("conv_net", p, {"x": x, "targets": targets.to(torch.float64)}, logits, loss,
         {"side": side, "conv": f"{c1},{c2},{c3}", "dense": dense, "classes": classes})


def optimizers():
    """Three steps of each optimizer on a matrix and a vector parameter with fixed gradients.

    Stores the starting values, the gradient of every step and the parameters after every step:
    <case>.<param>.step<k> for k = 1..3. AdamW decays only the matrix, as Hearth does by default
    (the vector goes in a second group with weight_decay 0).
    """
    torch.manual_seed(5)
    w0 = torch.randn(3, 4)
    b0 = torch.randn(4)
    grads = [(torch.randn(3, 4), torch.randn(4)) for _ in range(3)]
    cases = {
        "sgd": lambda w, b: torch.optim.SGD([w, b], lr=0.1),
        "sgd_momentum": lambda w, b: torch.optim.SGD([w, b], lr=0.1, momentum=0.9, dampening=0.1),
        "sgd_nesterov_wd": lambda w, b: torch.optim.SGD([w, b], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        "adam": lambda w, b: torch.optim.Adam([w, b], lr=0.01, betas=(0.9, 0.95), eps=1e-8),
        "adam_l2": lambda w, b: torch.optim.Adam([w, b], lr=0.01, weight_decay=0.1),
        "adamw": lambda w, b: torch.optim.AdamW([{"params": [w], "weight_decay": 0.1},
                                                 {"params": [b], "weight_decay": 0.0}], lr=0.01),
    }
    tensors = {"w0": w0, "b0": b0}
    for k, (gw, gb) in enumerate(grads, 1):
        tensors[f"grad.w.step{k}"] = gw
        tensors[f"grad.b.step{k}"] = gb
    for name, make in cases.items():
        w = w0.clone().requires_grad_(True)
        b = b0.clone().requires_grad_(True)
        opt = make(w, b)
        for k, (gw, gb) in enumerate(grads, 1):
            w.grad = gw.clone()
            b.grad = gb.clone()
            opt.step()
            tensors[f"{name}.w.step{k}"] = w.detach().clone()
            tensors[f"{name}.b.step{k}"] = b.detach().clone()
    # Global gradient-norm clipping of the first step's gradients to norm 1.
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    w.grad, b.grad = grads[0][0].clone(), grads[0][1].clone()
    norm = torch.nn.utils.clip_grad_norm_([w, b], 1.0)
    tensors["clip.norm"] = norm.reshape(())
    tensors["clip.w"] = w.grad
    tensors["clip.b"] = b.grad
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "optimizers.safetensors")
    write_safetensors(path, tensors, {"steps": 3})
    print(f"{os.path.relpath(path)}: {len(tensors)} tensors")


HF_OUT = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "src", "test", "resources", "hf")


def write_hf_folder(name, config, tensors, ids, logits):
    """A tiny model folder as Hugging Face transformers writes it, plus the expected logits."""
    folder = os.path.join(HF_OUT, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors, {"format": "pt"})
    write_safetensors(os.path.join(folder, "expected.safetensors"),
                      {"ids": torch.tensor(ids, dtype=torch.float64), "logits": logits}, {})
    print(f"{os.path.relpath(folder)}: {len(tensors)} tensors")


def hf_gpt2():
    """GPT-2 in transformers' layout (Conv1D weights (in, out), fused c_attn, mask buffers, no
    "transformer." prefix as in the original gpt2 files); logits computed the way modeling_gpt2 does."""
    torch.manual_seed(6)
    v, t_max, c, h, layers = 50, 16, 8, 2, 2
    w = {"wte.weight": torch.randn(v, c) * 0.3, "wpe.weight": torch.randn(t_max, c) * 0.3}
    for i in range(layers):
        p = f"h.{i}."
        w[p + "ln_1.weight"] = 1 + torch.randn(c) * 0.1
        w[p + "ln_1.bias"] = torch.randn(c) * 0.1
        w[p + "attn.bias"] = torch.tril(torch.ones(t_max, t_max)).view(1, 1, t_max, t_max)
        w[p + "attn.c_attn.weight"] = torch.randn(c, 3 * c) * 0.3
        w[p + "attn.c_attn.bias"] = torch.randn(3 * c) * 0.1
        w[p + "attn.c_proj.weight"] = torch.randn(c, c) * 0.3
        w[p + "attn.c_proj.bias"] = torch.randn(c) * 0.1
        w[p + "ln_2.weight"] = 1 + torch.randn(c) * 0.1
        w[p + "ln_2.bias"] = torch.randn(c) * 0.1
        w[p + "mlp.c_fc.weight"] = torch.randn(c, 4 * c) * 0.3
        w[p + "mlp.c_fc.bias"] = torch.randn(4 * c) * 0.1
        w[p + "mlp.c_proj.weight"] = torch.randn(4 * c, c) * 0.3
        w[p + "mlp.c_proj.bias"] = torch.randn(c) * 0.1
    w["ln_f.weight"] = 1 + torch.randn(c) * 0.1
    w["ln_f.bias"] = torch.randn(c) * 0.1
    ids = [3, 17, 42, 0, 9, 9, 31]
    t = len(ids)
    x = w["wte.weight"][ids] + w["wpe.weight"][:t]
    for i in range(layers):
        p = f"h.{i}."
        a = F.layer_norm(x, (c,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], 1e-5)
        q, k, vv = (a @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]).split(c, dim=-1)
        q, k, vv = (z.view(1, t, h, c // h) for z in (q, k, vv))
        att = causal_attention(q, k, vv).reshape(t, c)
        x = x + att @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        m = F.layer_norm(x, (c,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], 1e-5)
        m = F.gelu(m @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"], approximate="tanh")
        x = x + m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = F.layer_norm(x, (c,), w["ln_f.weight"], w["ln_f.bias"], 1e-5)
    logits = x @ w["wte.weight"].T
    config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": v, "n_positions": t_max,
              "n_ctx": t_max, "n_embd": c, "n_layer": layers, "n_head": h, "n_inner": None,
              "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "resid_pdrop": 0.1, "embd_pdrop": 0.1,
              "attn_pdrop": 0.1, "bos_token_id": 0, "eos_token_id": 0, "tie_word_embeddings": True}
    write_hf_folder("gpt2-tiny", config, w, ids, logits)


def hf_qwen2():
    """Qwen2 in transformers' layout: GQA (4 heads, 2 kv heads), RoPE, q/k/v biases, untied head."""
    torch.manual_seed(7)
    v, t_max, c, h, hkv, hidden, layers, theta, eps = 40, 32, 16, 4, 2, 24, 2, 1000000.0, 1e-6
    hd = c // h
    w = {"model.embed_tokens.weight": torch.randn(v, c) * 0.3}
    for i in range(layers):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = 1 + torch.randn(c) * 0.1
        w[p + "self_attn.q_proj.weight"] = torch.randn(c, c) * 0.3
        w[p + "self_attn.q_proj.bias"] = torch.randn(c) * 0.1
        w[p + "self_attn.k_proj.weight"] = torch.randn(hkv * hd, c) * 0.3
        w[p + "self_attn.k_proj.bias"] = torch.randn(hkv * hd) * 0.1
        w[p + "self_attn.v_proj.weight"] = torch.randn(hkv * hd, c) * 0.3
        w[p + "self_attn.v_proj.bias"] = torch.randn(hkv * hd) * 0.1
        w[p + "self_attn.o_proj.weight"] = torch.randn(c, c) * 0.3
        w[p + "post_attention_layernorm.weight"] = 1 + torch.randn(c) * 0.1
        w[p + "mlp.gate_proj.weight"] = torch.randn(hidden, c) * 0.3
        w[p + "mlp.up_proj.weight"] = torch.randn(hidden, c) * 0.3
        w[p + "mlp.down_proj.weight"] = torch.randn(c, hidden) * 0.3
    w["model.norm.weight"] = 1 + torch.randn(c) * 0.1
    w["lm_head.weight"] = torch.randn(v, c) * 0.3
    ids = [1, 5, 39, 22, 7, 7, 13, 2]
    t = len(ids)
    x = w["model.embed_tokens.weight"][ids].view(1, t, c)
    for i in range(layers):
        p = f"model.layers.{i}."
        a = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = rope(F.linear(a, w[p + "self_attn.q_proj.weight"], w[p + "self_attn.q_proj.bias"]).view(1, t, h, hd), theta)
        k = rope(F.linear(a, w[p + "self_attn.k_proj.weight"], w[p + "self_attn.k_proj.bias"]).view(1, t, hkv, hd), theta)
        vv = F.linear(a, w[p + "self_attn.v_proj.weight"], w[p + "self_attn.v_proj.bias"]).view(1, t, hkv, hd)
        x = x + F.linear(causal_attention(q, k, vv).reshape(1, t, c), w[p + "self_attn.o_proj.weight"])
        m = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        x = x + F.linear(F.silu(F.linear(m, w[p + "mlp.gate_proj.weight"])) * F.linear(m, w[p + "mlp.up_proj.weight"]),
                         w[p + "mlp.down_proj.weight"])
    x = rms_norm(x, w["model.norm.weight"], eps)
    logits = F.linear(x, w["lm_head.weight"]).view(t, v)
    config = {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": v, "hidden_size": c,
              "intermediate_size": hidden, "num_hidden_layers": layers, "num_attention_heads": h,
              "num_key_value_heads": hkv, "max_position_embeddings": t_max, "rms_norm_eps": eps, "rope_theta": theta,
              "hidden_act": "silu", "tie_word_embeddings": False, "use_sliding_window": False, "sliding_window": 16,
              "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16"}
    write_hf_folder("qwen2-tiny", config, w, ids, logits)


if __name__ == "__main__":
    gpt_block()
    llama_block()
    lstm()
    conv_net()
    optimizers()
    hf_gpt2()
    hf_qwen2()
