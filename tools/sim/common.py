"""Shared input of the simulations: the vocabulary and a token stream."""


def read_vocab(path):
    """id -> bytes, from vocab_dump's output."""
    voc = {}
    for line in open(path):
        p = line.split()
        voc[int(p[0])] = bytes.fromhex(p[1]) if len(p) > 1 else b''
    return voc


def read_tokens(path):
    """[(id, bytes, is_new)], from run.sh's token file."""
    toks = []
    for line in open(path):
        p = line.split()
        toks.append((int(p[0]), bytes.fromhex(p[1]), int(p[2])))
    return toks


def byte_kind(b):
    """The kinds of engine/newid.c's byte_kind()."""
    if 97 <= b <= 122: return 1
    if 65 <= b <= 90: return 2
    if 48 <= b <= 57: return 3
    if b == 32: return 4
    if b in (10, 13, 9): return 5
    if b in b'<>/="': return 6
    if b in b'[]|{}': return 7
    if b in b'&;#': return 8
    if b >= 0x80: return 9
    return 10
