"""Where could escapes come from? An escape is a token seen before that is
not a follower of the tokens 1, 2 or 3 back and not among the last 32 (level
3's candidates, without the match). Counts the escapes, then how many of them
other sources would have offered.

Usage: escapes.py TOKENS VOCAB"""
import sys
from collections import defaultdict

from common import read_tokens, read_vocab

toks = read_tokens(sys.argv[1])
voc = read_vocab(sys.argv[2])
ids = [t[0] for t in toks]


def norm(tid):
    return voc[tid].strip().lower()


follows = [defaultdict(set) for _ in range(9)]   # follows[d][token d back]
by_norm = defaultdict(set)                        # case-folded previous token
last = {}
esc = folded = 0
far = [0] * 9
any_far = 0
recent = {64: 0, 128: 0, 256: 0, 512: 0, 1024: 0, 4096: 0}
for i, (tid, _, new) in enumerate(toks):
    if not new and i >= 8 and tid not in set(ids[max(0, i - 32):i]) and \
            all(tid not in follows[d][ids[i - d]] for d in (1, 2, 3)):
        esc += 1
        folded += tid in by_norm[norm(ids[i - 1])]
        hits = [d for d in range(4, 9) if tid in follows[d][ids[i - d]]]
        for d in hits:
            far[d] += 1
        any_far += bool(hits)
        for w in recent:
            recent[w] += i - last[tid] <= w
    for d in range(1, 9):
        if i >= d:
            follows[d][ids[i - d]].add(tid)
    if i >= 1:
        by_norm[norm(ids[i - 1])].add(tid)
    last[tid] = i
print(f'tokens {len(toks)}, escapes {esc}')
print(f'offered by a case-folded, space-stripped previous token: {folded}')
print('offered by the token d back, d = 4..8:', far[4:], f'(any of them: {any_far})')
print('seen within the last W positions:', recent)
