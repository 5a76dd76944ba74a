"""The new-token id tree of engine/newid.c, replayed exactly ("tree"), and
the same tree with each node's probability mixed with five estimates by
node and byte context (logistic mixer by depth, adaptive-rate counters:
"mix"). Prints the id bits.

Usage: newid_tree.py TOKENS VOCAB tree|mix"""
import math
import sys
from collections import defaultdict

from common import byte_kind, read_tokens, read_vocab

toks = read_tokens(sys.argv[1])
voc = read_vocab(sys.argv[2])
mode = sys.argv[3]
V = len(voc)
BITS = (V - 1).bit_length()
L = 1 << BITS
code_of = {i: c for c, i in enumerate(sorted(range(V), key=lambda i: (voc[i], i)))}
avail = [0] * (2 * L)
for c in range(L):
    avail[L + c] = 1 if c < V else 0
for i in range(L - 1, 0, -1):
    avail[i] = avail[2 * i] + avail[2 * i + 1]
top = defaultdict(lambda: 2048)
deep = defaultdict(lambda: 2048)
tabs = [defaultdict(lambda: [0.5, 0]) for _ in range(5)]
NIN = 7
weights = defaultdict(lambda: [0.3] * NIN)


def squash(x): return 1 / (1 + math.exp(-x))
def stretch(p): return math.log(p / (1 - p))
def clamp(p): return min(max(p, 1 / 4096), 1 - 1 / 4096)


bits = 0.0
hist = b''
for tid, b, new in toks:
    if new:
        lb = hist[-1] if hist else 0
        lb2 = hist[-2] if len(hist) > 1 else 0
        kd = byte_kind(lb) if hist else 0
        code, node = code_of[tid], 1
        for d in range(BITS - 1, -1, -1):
            bit = (code >> d) & 1
            a0, a1 = avail[2 * node], avail[2 * node + 1]
            if a0 and a1:
                tb, key = (top, (lb, node)) if node < 256 else (deep, (kd, node))
                p = tb[key] / 4096
                if mode == 'mix':
                    ctxs = [(node,), (lb, node), (kd, node), (lb2, lb, node),
                            (byte_kind(lb2) if len(hist) > 1 else 0, kd, node)]
                    cells = [tabs[j][c] for j, c in enumerate(ctxs)]
                    ins = [stretch(clamp(c[0])) for c in cells] + [stretch(p), 1.0]
                    w = weights[d]
                    p = clamp(squash(sum(x * y for x, y in zip(w, ins))))
                    for j in range(NIN):
                        w[j] += 0.02 * ((1 - bit) - p) * ins[j]
                    for c in cells:
                        c[1] += 1
                        c[0] += ((1 - bit) - c[0]) / (min(c[1], 30) + 0.5)
                q = clamp(p * a0 / (p * a0 + (1 - p) * a1))
                bits -= math.log2(q if bit == 0 else 1 - q)
                v = tb[key]
                v = v - (v >> 4) if bit else v + ((4096 - v) >> 4)
                tb[key] = min(max(v, 32), 4064)
            node = 2 * node + bit
        n = L + code
        while n >= 1:
            avail[n] -= 1
            n //= 2
    hist += b
print(f'{mode}: {round(bits)} id bits')
