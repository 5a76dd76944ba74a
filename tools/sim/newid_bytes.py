"""New tokens coded by their bytes instead of the id tree: a walk down the
trie of the unused vocabulary, each byte from a PPMC-style blend of the
text's byte contexts (orders ORDER..0, exclusions), restricted to the
branches that still hold unused tokens and weighted by (their number)^BETA;
where a prefix is itself an unused token, an adaptive bit says whether the
token ends there. Prints the bits per new token (the tree: newid_tree.py).

Usage: newid_bytes.py TOKENS VOCAB ORDER BETA"""
import math
import sys
from collections import defaultdict

from common import read_tokens, read_vocab

toks = read_tokens(sys.argv[1])
voc = read_vocab(sys.argv[2])
ORDER, BETA = int(sys.argv[3]), float(sys.argv[4])
avail = defaultdict(int)      # prefix -> unused tokens below it
children = defaultdict(set)   # prefix -> next bytes in the vocabulary
for b in voc.values():
    for k in range(1, len(b) + 1):
        avail[b[:k]] += 1
        children[b[:k - 1]].add(b[k - 1])
unused = set(voc.values())
counts = [defaultdict(lambda: defaultdict(int)) for _ in range(ORDER + 1)]
end_bit = defaultdict(lambda: [1, 1])


def byte_probs(ctx, allowed):
    p = dict.fromkeys(allowed, 0.0)
    rest, seen = 1.0, set()
    for k in range(ORDER, -1, -1):
        if len(ctx) < k:
            continue
        d = counts[k].get(bytes(ctx[len(ctx) - k:]))
        items = [(c, n) for c, n in d.items() if c in p and c not in seen] if d else []
        if not items:
            continue
        tot = sum(n for _, n in items)
        esc = len(items) / (tot + len(items))
        for c, n in items:
            p[c] += rest * (1 - esc) * n / tot
            seen.add(c)
        rest *= esc
    left = [c for c in allowed if c not in seen]
    for c in left:
        p[c] += rest / len(left)
    if not left:
        s = sum(p.values())
        p = {c: v / s for c, v in p.items()}
    return p


bits, n_new, hist = 0.0, 0, bytearray()
for _, b, new in toks:
    if new:
        n_new += 1
        prefix = b''
        for i in range(len(b) + 1):
            ch = [c for c in children[prefix] if avail[prefix + bytes([c])] > 0]
            if prefix in unused and i > 0:
                if not ch:
                    break
                e = end_bit[(min(i, 6), len(ch) > 3)]
                ends = i == len(b)
                bits -= math.log2((e[0] if ends else e[1]) / (e[0] + e[1]))
                e[0 if ends else 1] += 1
                if ends:
                    break
            if i == len(b):
                break
            pb = byte_probs(hist + prefix, ch)
            w = {c: pb[c] * avail[prefix + bytes([c])] ** BETA for c in ch}
            bits -= math.log2(w[b[i]] / sum(w.values()))
            prefix += b[i:i + 1]
        unused.discard(b)
        for k in range(1, len(b) + 1):
            avail[b[:k]] -= 1
    for c in b:
        for k in range(ORDER + 1):
            if len(hist) >= k:
                counts[k][bytes(hist[len(hist) - k:])][c] += 1
        hist.append(c)
print(f'order {ORDER}, beta {BETA}: {n_new} new tokens, {bits / n_new:.2f} bits each')
