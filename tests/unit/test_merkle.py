"""Merkle roots and proofs: RFC 9162 reference vectors, generator against verifier.

The vectors are the RFC 6962 test data used by transparency-dev/merkle
(testonly/constants.go and proof/verify_test.go), which Trillian and Google's
certificate-transparency code share. The verifier is also checked against a
recursive reference verifier written straight from the RFC's proof definitions.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.integrity.evidence_verifier import (
    EMPTY_ROOT,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from application.integrity.merkle import (
    CompactRange,
    InMemoryLeafHashes,
    InMemoryNodeCache,
    MerkleTree,
    mth,
)

LEAF_INPUTS = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]

# Root hash by tree size, 0 to 8.
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]

# Perfect subtree hashes by level, then index.
NODE_HASHES = [
    [
        bytes.fromhex(h)
        for h in (
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        )
    ],
    [
        bytes.fromhex(h)
        for h in (
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        )
    ],
    [
        bytes.fromhex(h)
        for h in (
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        )
    ],
    [bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")],
]

# compact.Tree hashes (the frontier) by tree size.
_NH = NODE_HASHES
COMPACT_TREES: list[list[bytes]] = [
    [],
    [_NH[0][0]],
    [_NH[1][0]],
    [_NH[1][0], _NH[0][2]],
    [_NH[2][0]],
    [_NH[2][0], _NH[0][4]],
    [_NH[2][0], _NH[1][2]],
    [_NH[2][0], _NH[1][2], _NH[0][6]],
    [_NH[3][0]],
]

# (leaf index, tree size, proof); verify_test.go numbers leaves from 1.
INCLUSION_VECTORS = [
    (0, 1, []),
    (0, 8, [_NH[0][1], _NH[1][1], _NH[2][1]]),
    (5, 8, [_NH[0][4], _NH[1][3], _NH[2][0]]),
    (2, 3, [_NH[1][0]]),
    (1, 5, [_NH[0][0], _NH[1][1], _NH[0][4]]),
]

CONSISTENCY_VECTORS = [
    (1, 1, []),
    (1, 8, [_NH[0][1], _NH[1][1], _NH[2][1]]),
    (6, 8, [_NH[1][2], _NH[1][3], _NH[2][0]]),
    (2, 5, [_NH[1][1], _NH[0][4]]),
    (6, 7, [_NH[1][2], _NH[0][6], _NH[2][0]]),
]


def _vector_tree() -> MerkleTree:
    return MerkleTree(
        InMemoryLeafHashes(leaf_hash(d) for d in LEAF_INPUTS),
        InMemoryNodeCache(),
        min_cached_level=1,
    )


# --- reference verifiers, written from RFC 9162 sections 2.1.3.1 and 2.1.4.1 -------


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class _Short(Exception):
    pass


class _Proof:
    def __init__(self, nodes: Sequence[bytes]) -> None:
        self.nodes = list(nodes)
        self.used = 0

    def take(self) -> bytes:
        if self.used == len(self.nodes):
            raise _Short
        self.used += 1
        return self.nodes[self.used - 1]


def ref_verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Rebuild the root along PATH(index, D[size]), which lists inner siblings first."""
    if not 0 <= index < size or any(len(h) != 32 for h in (leaf, root, *proof)):
        return False
    nodes = _Proof(proof)

    def walk(start: int, stop: int) -> bytes:
        if stop - start == 1:
            return leaf
        k = start + _split(stop - start)
        if index < k:
            return node_hash(walk(start, k), nodes.take())
        inner = walk(k, stop)
        return node_hash(nodes.take(), inner)

    try:
        computed = walk(0, size)
    except _Short:
        return False
    return nodes.used == len(nodes.nodes) and computed == root


def ref_verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    """Rebuild both roots along SUBPROOF(size1, D[size2], true)."""
    if not 0 <= size1 <= size2 or any(len(h) != 32 for h in (root1, root2, *proof)):
        return False
    if size1 == 0:
        # The empty tree is a prefix of any tree; two empty trees have the same root.
        return not proof and root1 == EMPTY_ROOT and (size2 > 0 or root2 == root1)
    nodes = _Proof(proof)

    def sub(start: int, stop: int, whole_old_tree: bool) -> tuple[bytes, bytes]:
        if size1 == stop:
            if whole_old_tree:
                return root1, root1
            value = nodes.take()
            return value, value
        k = start + _split(stop - start)
        if size1 <= k:
            old, new = sub(start, k, whole_old_tree)
            return old, node_hash(new, nodes.take())
        old, new = sub(k, stop, False)
        left = nodes.take()
        return node_hash(left, old), node_hash(left, new)

    try:
        old, new = sub(0, size2, True)
    except _Short:
        return False
    return nodes.used == len(nodes.nodes) and old == root1 and new == root2


# --- reference vectors ----------------------------------------------------------------


@pytest.mark.parametrize("size", range(9))
def test_roots_match_reference_vectors(size: int) -> None:
    hashes = [leaf_hash(d) for d in LEAF_INPUTS[:size]]
    assert mth(hashes) == ROOTS[size]
    assert _vector_tree().root(size) == ROOTS[size]
    frontier = CompactRange()
    frontier.extend(hashes)
    assert frontier.root() == ROOTS[size]
    assert list(frontier.hashes) == COMPACT_TREES[size]


def test_compact_range_reports_every_perfect_subtree() -> None:
    seen: dict[tuple[int, int], bytes] = {}
    frontier = CompactRange(
        on_node=lambda level, index, value: seen.update({(level, index): value})
    )
    frontier.extend(leaf_hash(d) for d in LEAF_INPUTS)
    expected = {
        (level, index): value
        for level, hashes in enumerate(NODE_HASHES)
        for index, value in enumerate(hashes)
    }
    assert seen == expected


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_inclusion_proofs_match_reference_vectors(
    index: int, size: int, proof: list[bytes]
) -> None:
    assert _vector_tree().inclusion_proof(index, size) == proof
    leaf = leaf_hash(LEAF_INPUTS[index])
    assert verify_inclusion(leaf, index, size, proof, ROOTS[size])
    assert ref_verify_inclusion(leaf, index, size, proof, ROOTS[size])


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY_VECTORS)
def test_consistency_proofs_match_reference_vectors(
    size1: int, size2: int, proof: list[bytes]
) -> None:
    assert _vector_tree().consistency_proof(size1, size2) == proof
    assert verify_consistency(size1, size2, ROOTS[size1], ROOTS[size2], proof)
    assert ref_verify_consistency(size1, size2, ROOTS[size1], ROOTS[size2], proof)


# --- every proof up to 40 leaves --------------------------------------------------------

N = 40
LEAVES = [leaf_hash(i.to_bytes(4, "big")) for i in range(64)]
TREE = MerkleTree(InMemoryLeafHashes(LEAVES), min_cached_level=2)
TREE_ROOTS = [TREE.root(size) for size in range(len(LEAVES) + 1)]


def test_tree_roots_equal_direct_mth() -> None:
    for size in range(len(LEAVES) + 1):
        assert TREE_ROOTS[size] == mth(LEAVES[:size])


def test_every_inclusion_proof_verifies() -> None:
    for size in range(1, N + 1):
        for index in range(size):
            proof = TREE.inclusion_proof(index, size)
            root = TREE_ROOTS[size]
            assert verify_inclusion(LEAVES[index], index, size, proof, root), (index, size)
            assert ref_verify_inclusion(LEAVES[index], index, size, proof, root)


def test_every_consistency_proof_verifies() -> None:
    for size2 in range(N + 1):
        for size1 in range(size2 + 1):
            proof = TREE.consistency_proof(size1, size2)
            args = (size1, size2, TREE_ROOTS[size1], TREE_ROOTS[size2], proof)
            assert verify_consistency(*args), (size1, size2)
            assert ref_verify_consistency(*args)


def test_proof_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        TREE.inclusion_proof(5, 5)
    with pytest.raises(ValueError):
        TREE.inclusion_proof(0, 65)
    with pytest.raises(ValueError):
        TREE.consistency_proof(6, 5)
    with pytest.raises(ValueError):
        TREE.root(65)
    with pytest.raises(ValueError):
        CompactRange(3, [LEAVES[0]])


# --- cost in the steady state ----------------------------------------------------------


def test_cached_roots_and_proofs_read_few_leaves() -> None:
    leaves = InMemoryLeafHashes(leaf_hash(i.to_bytes(4, "big")) for i in range(1000))
    tree = MerkleTree(leaves, InMemoryNodeCache(), min_cached_level=3)
    root = tree.root()
    assert leaves.leaves_read == 1000
    leaves.leaves_read = 0
    assert tree.root() == root
    for index in (0, 499, 998, 999):
        tree.inclusion_proof(index, 1000)
    tree.consistency_proof(600, 1000)
    # Each proof or root touches at most one partial subtree of < 8 leaves per level.
    assert leaves.leaves_read <= 6 * 3 * 8


def test_appending_through_a_compact_range_fills_the_cache() -> None:
    leaves = InMemoryLeafHashes()
    tree = MerkleTree(leaves, InMemoryNodeCache(), min_cached_level=2)
    frontier = CompactRange(on_node=tree.store_node)
    for i in range(300):
        value = leaf_hash(i.to_bytes(4, "big"))
        leaves.append(value)
        frontier.append(value)
    assert tree.root() == frontier.root()
    assert leaves.leaves_read <= 4


def test_compact_range_resumes_from_the_tree() -> None:
    leaves = InMemoryLeafHashes(LEAVES[:37])
    frontier = MerkleTree(leaves).compact_range()
    assert frontier.size == 37
    frontier.extend(LEAVES[37:])
    assert frontier.root() == mth(LEAVES)


# --- mutated proofs ---------------------------------------------------------------------

_mutation_settings = settings(max_examples=150, deadline=None)


def _flip(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    mutable = bytearray(value)
    mutable[bit // 8] ^= 1 << (bit % 8)
    return bytes(mutable)


def _mutate_nodes(data: st.DataObject, proof: list[bytes]) -> list[bytes]:
    """A changed copy of a non-empty proof: a bit flipped, a node dropped, added or swapped."""
    kinds = ["flip", "drop", "add"] + (["swap"] if len(proof) > 1 else [])
    kind = data.draw(st.sampled_from(kinds))
    mutated = list(proof)
    if kind == "flip":
        i = data.draw(st.integers(0, len(proof) - 1))
        mutated[i] = _flip(mutated[i], data.draw(st.integers(0, 255)))
    elif kind == "drop":
        del mutated[data.draw(st.integers(0, len(proof) - 1))]
    elif kind == "add":
        extra = data.draw(st.sampled_from([*proof, *LEAVES[:4], bytes(32)]))
        mutated.insert(data.draw(st.integers(0, len(proof))), extra)
    else:
        i, j = data.draw(
            st.lists(st.integers(0, len(proof) - 1), min_size=2, max_size=2, unique=True)
        )
        mutated[i], mutated[j] = mutated[j], mutated[i]
    return mutated


@_mutation_settings
@given(st.data())
def test_mutated_inclusion_proofs_are_rejected(data: st.DataObject) -> None:
    size = data.draw(st.integers(2, N))
    index = data.draw(st.integers(0, size - 1))
    proof = TREE.inclusion_proof(index, size)
    root, leaf = TREE_ROOTS[size], LEAVES[index]
    assert not verify_inclusion(leaf, index, size, _mutate_nodes(data, proof), root)
    other_index = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
    assert not verify_inclusion(leaf, other_index, size, proof, root)
    assert not verify_inclusion(leaf, size + data.draw(st.integers(0, 3)), size, proof, root)
    bit = data.draw(st.integers(0, 255))
    assert not verify_inclusion(_flip(leaf, bit), index, size, proof, root)
    assert not verify_inclusion(leaf, index, size, proof, _flip(root, bit))


@_mutation_settings
@given(st.data())
def test_inclusion_verifier_agrees_with_reference_on_changed_sizes(data: st.DataObject) -> None:
    # A root does not commit to its tree size: a proof can also fit another (index,
    # size) whose path has the same shape. The signed checkpoint pins the size.
    size = data.draw(st.integers(1, N))
    index = data.draw(st.integers(0, size - 1))
    proof = TREE.inclusion_proof(index, size)
    other_size = data.draw(st.integers(0, 2 * N))
    other_index = data.draw(st.sampled_from([index, index - 1, index + 1, index ^ 2, 0]))
    args = (LEAVES[index], other_index, other_size, proof, TREE_ROOTS[size])
    assert verify_inclusion(*args) == ref_verify_inclusion(*args)


@_mutation_settings
@given(st.data())
def test_mutated_consistency_proofs_are_rejected(data: st.DataObject) -> None:
    size2 = data.draw(st.integers(2, N))
    size1 = data.draw(st.integers(1, size2 - 1))
    proof = TREE.consistency_proof(size1, size2)
    root1, root2 = TREE_ROOTS[size1], TREE_ROOTS[size2]
    assert not verify_consistency(size1, size2, root1, root2, _mutate_nodes(data, proof))
    assert not verify_consistency(size1, size2, root1, root2, [])
    assert not verify_consistency(size1, size2, root2, root1, proof)
    assert not verify_consistency(size2, size1, root2, root1, proof)
    bit = data.draw(st.integers(0, 255))
    assert not verify_consistency(size1, size2, _flip(root1, bit), root2, proof)
    assert not verify_consistency(size1, size2, root1, _flip(root2, bit), proof)


@_mutation_settings
@given(st.data())
def test_consistency_verifier_agrees_with_reference_on_changed_sizes(
    data: st.DataObject,
) -> None:
    # As for inclusion, other sizes with the same proof shape are accepted too.
    size2 = data.draw(st.integers(1, N))
    size1 = data.draw(st.integers(0, size2))
    proof = TREE.consistency_proof(size1, size2)
    other1 = data.draw(st.integers(0, N))
    other2 = data.draw(st.integers(0, 2 * N))
    args = (other1, other2, TREE_ROOTS[size1], TREE_ROOTS[size2], proof)
    assert verify_consistency(*args) == ref_verify_consistency(*args)
    if (other1, other2) == (size1, size2):
        assert verify_consistency(*args)
