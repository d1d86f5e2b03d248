#!/usr/bin/env python3
"""nanoGPT's Tiny Shakespeare CPU recipe in PyTorch, written for Hearth's side-by-side benchmark.

The model is a GPT as nanoGPT defines it (pre-norm blocks, LayerNorm and linear layers without
biases, exact GELU, tied head, learned positions); the recipe is nanoGPT's README CPU run:
4 layers, 4 heads, width 128, context 64, batch 12, AdamW (lr 1e-3 -> 1e-4 cosine, warmup 100,
betas 0.9/0.99, weight decay 0.1 on matrices), gradient clipping at 1.0, dropout 0, character
vocabulary, last 10% of the text as val. Prints training tokens/s (evaluation excluded) and the
val loss at every evaluation.

    /usr/bin/python3 bench/nanogpt_torch.py --threads 1 [--steps 2000] [--eval-every 250]
"""
import argparse
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, c, h):
        super().__init__()
        self.h = h
        self.ln1 = nn.LayerNorm(c, bias=False) if "bias" in nn.LayerNorm.__init__.__code__.co_varnames else nn.LayerNorm(c)
        self.qkv = nn.Linear(c, 3 * c, bias=False)
        self.proj = nn.Linear(c, c, bias=False)
        self.ln2 = nn.LayerNorm(c, bias=False) if "bias" in nn.LayerNorm.__init__.__code__.co_varnames else nn.LayerNorm(c)
        self.fc = nn.Linear(c, 4 * c, bias=False)
        self.out = nn.Linear(4 * c, c, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.h, c // self.h).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.h)
        att = att.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.proj(y)
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class Gpt(nn.Module):
    def __init__(self, vocab, context, layers, heads, dim):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.wpe = nn.Embedding(context, dim)
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(dim)
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith("proj.weight") or name.endswith("out.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * layers))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)

    def forward(self, ids, targets):
        t = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(t))
        for blk in self.blocks:
            x = blk(x)
        logits = self.ln_f(x) @ self.wte.weight.T
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data",
                                                  "tinyshakespeare.txt"))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--eval-batches", type=int, default=20)
    p.add_argument("--seed", type=int, default=1337)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    text = open(a.data, encoding="utf-8").read()
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
    n = int(0.9 * len(data))
    train, val = data[:n], data[n:]
    context, batch = 64, 12

    def get_batch(split):
        d = train if split == "train" else val
        ix = torch.randint(len(d) - context, (batch,))
        return torch.stack([d[i:i + context] for i in ix]), torch.stack([d[i + 1:i + 1 + context] for i in ix])

    model = Gpt(len(chars), context, 4, 4, 128)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.99))

    def lr_at(it):
        if it < 100:
            return 1e-3 * (it + 1) / 100
        ratio = (it - 100) / (a.steps - 100)
        return 1e-4 + 0.5 * (1 + math.cos(math.pi * ratio)) * (1e-3 - 1e-4)

    @torch.no_grad()
    def evaluate(split):
        model.eval()
        losses = [model(*get_batch(split)).item() for _ in range(a.eval_batches)]
        model.train()
        return sum(losses) / len(losses)

    train_seconds = 0.0
    timed_tokens = 0
    for it in range(a.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(it)
        t0 = time.perf_counter()
        x, y = get_batch("train")
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        dt = time.perf_counter() - t0
        if it >= 10:  # leave out the first steps (allocator warm-up)
            train_seconds += dt
            timed_tokens += batch * context
        if (it + 1) % a.eval_every == 0 or it + 1 == a.steps:
            print(f"step {it + 1}: train loss {evaluate('train'):.4f}, val loss {evaluate('val'):.4f}", flush=True)
    print(f"torch {torch.__version__}, {a.threads} thread(s): {timed_tokens / train_seconds:.0f} tokens/s "
          f"over {a.steps - 10} steps")


if __name__ == "__main__":
    main()
