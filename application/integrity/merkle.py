"""Merkle tree roots and proof generation (RFC 9162 sections 2.1.1, 2.1.3.1, 2.1.4.1).

`MerkleTree` reads leaf hashes through the `LeafHashes` protocol and keeps the hashes of
perfect subtrees (2**level leaves starting at a multiple of 2**level) in a `NodeCache`,
so both can be backed by database tables. A log only grows, so a perfect subtree's hash
never changes once all its leaves exist; once cached, a root or proof needs O(log n)
cache reads and at most a few short leaf reads.

`CompactRange` computes the root of a growing log from leaves streamed once, in order,
keeping only O(log n) hashes; it can report every perfect subtree it completes, which is
how a cache is filled as leaves are appended.

Verification lives in `evidence_verifier`, the file shipped in evidence packs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from application.integrity.evidence_verifier import EMPTY_ROOT, HASH_SIZE, node_hash

NodeKey = tuple[int, int]
"""(level, index): the perfect subtree over leaves [index * 2**level, (index + 1) * 2**level)."""

NodeVisitor = Callable[[int, int, bytes], None]
"""Called with (level, index, hash) for each perfect subtree a `CompactRange` completes."""


class LeafHashes(Protocol):
    """The log's leaf hashes, in leaf index order."""

    def __len__(self) -> int: ...

    def get_range(self, start: int, stop: int) -> list[bytes]:
        """The leaf hashes with indexes start <= i < stop."""
        ...


class NodeCache(Protocol):
    """Hashes of perfect subtrees by `NodeKey` (a dict will do)."""

    def get(self, key: NodeKey, /) -> bytes | None: ...

    def __setitem__(self, key: NodeKey, value: bytes, /) -> None: ...


class InMemoryLeafHashes:
    """A list-backed `LeafHashes` that counts reads, for tests."""

    def __init__(self, hashes: Iterable[bytes] = ()) -> None:
        self._hashes = list(hashes)
        self.reads = 0
        self.leaves_read = 0

    def __len__(self) -> int:
        return len(self._hashes)

    def append(self, leaf_hash: bytes) -> None:
        """Add the next leaf hash."""
        self._hashes.append(leaf_hash)

    def get_range(self, start: int, stop: int) -> list[bytes]:
        """The leaf hashes with indexes start <= i < stop."""
        self.reads += 1
        self.leaves_read += stop - start
        return self._hashes[start:stop]


class InMemoryNodeCache(dict[NodeKey, bytes]):
    """A dict-backed `NodeCache`."""


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where RFC 9162 splits n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def _hash_perfect(hashes: Sequence[bytes]) -> bytes:
    """The root of a perfect subtree over `hashes` (a power of two of them)."""
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def mth(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH (RFC 9162 section 2.1.1) of a list of already hashed leaves, directly."""

    def subtree(start: int, stop: int) -> bytes:
        if stop - start == 1:
            return leaf_hashes[start]
        k = start + _split(stop - start)
        return node_hash(subtree(start, k), subtree(k, stop))

    return subtree(0, len(leaf_hashes)) if leaf_hashes else EMPTY_ROOT


class CompactRange:
    """The perfect subtree hashes covering leaves [0, size): a log's frontier.

    There is one hash per set bit of `size`, largest subtree first, so memory is
    O(log size) however many leaves are appended.
    """

    def __init__(
        self,
        size: int = 0,
        hashes: Sequence[bytes] = (),
        on_node: NodeVisitor | None = None,
    ) -> None:
        if size < 0 or len(hashes) != size.bit_count():
            raise ValueError("a compact range of size n has one hash per set bit of n")
        self._size = size
        self._hashes = list(hashes)
        self._on_node = on_node

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The frontier's subtree hashes, largest (leftmost) first."""
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> None:
        """Add the next leaf, merging the subtrees it completes."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError("leaf hash must be 32 bytes")
        value, level, index = leaf_hash, 0, self._size
        if self._on_node is not None:
            self._on_node(level, index, value)
        # Each trailing one bit of the old size is a subtree the new leaf completes.
        size = self._size
        while size & 1:
            value = node_hash(self._hashes.pop(), value)
            level, index, size = level + 1, index >> 1, size >> 1
            if self._on_node is not None:
                self._on_node(level, index, value)
        self._hashes.append(value)
        self._size += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append each leaf hash in turn."""
        for leaf_hash in leaf_hashes:
            self.append(leaf_hash)

    def root(self) -> bytes:
        """The Merkle tree hash of the leaves so far."""
        if not self._hashes:
            return EMPTY_ROOT
        root = self._hashes[-1]
        for value in reversed(self._hashes[:-1]):
            root = node_hash(value, root)
        return root


class MerkleTree:
    """Roots and proofs over a `LeafHashes` source, caching perfect subtree hashes.

    Subtrees below `min_cached_level` are hashed from their leaves, read in one call of
    at most 2**min_cached_level leaves, instead of being cached; level 0 is the leaf
    source itself. The cache is trusted: checking stored events against the leaves
    is the job of a full verification, not of this class.
    """

    def __init__(
        self,
        leaves: LeafHashes,
        cache: NodeCache | None = None,
        *,
        min_cached_level: int = 4,
    ) -> None:
        if min_cached_level < 1:
            raise ValueError("min_cached_level must be at least 1")
        self._leaves = leaves
        self._cache: NodeCache = InMemoryNodeCache() if cache is None else cache
        self._min_level = min_cached_level

    def store_node(self, level: int, index: int, value: bytes) -> None:
        """Cache a perfect subtree hash if its level is cached (a `NodeVisitor`)."""
        if level >= self._min_level:
            self._cache[(level, index)] = value

    def _perfect(self, level: int, index: int) -> bytes:
        if level >= self._min_level:
            cached = self._cache.get((level, index))
            if cached is not None:
                return cached
        if level <= self._min_level:
            start = index << level
            hashes = self._leaves.get_range(start, start + (1 << level))
            if len(hashes) != 1 << level:
                raise LookupError(f"leaf source returned {len(hashes)} of {1 << level} leaves")
            value = _hash_perfect(hashes)
        else:
            value = node_hash(
                self._perfect(level - 1, 2 * index), self._perfect(level - 1, 2 * index + 1)
            )
        self.store_node(level, index, value)
        return value

    def _subtree(self, start: int, stop: int) -> bytes:
        """MTH(D[start:stop]) for a subtree of the RFC 9162 tree."""
        n = stop - start
        # In the RFC's recursion start is a multiple of every power of two <= n, so a
        # power-of-two range is always an aligned perfect subtree.
        if n & (n - 1) == 0:
            level = n.bit_length() - 1
            return self._perfect(level, start >> level)
        k = start + _split(n)
        return node_hash(self._subtree(start, k), self._subtree(k, stop))

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= len(self._leaves):
            raise ValueError(f"tree size {size} is not in 0..{len(self._leaves)}")

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the first `size` leaves (default: all of them)."""
        size = len(self._leaves) if size is None else size
        self._check_size(size)
        return self._subtree(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size]) per RFC 9162 section 2.1.3.1."""
        self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf index {index} is not in 0..{size - 1}")
        proof: list[bytes] = []
        start, stop = 0, size
        # The RFC's recursion appends on the way back up; walk down and reverse.
        while stop - start > 1:
            k = start + _split(stop - start)
            if index < k:
                proof.append(self._subtree(k, stop))
                stop = k
            else:
                proof.append(self._subtree(start, k))
                start = k
        proof.reverse()
        return proof

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """PROOF(size1, D[size2]) per RFC 9162 section 2.1.4.1; empty if size1 is 0 or size2."""
        self._check_size(size2)
        if not 0 <= size1 <= size2:
            raise ValueError(f"tree size {size1} is not in 0..{size2}")
        if size1 in (0, size2):
            return []
        proof: list[bytes] = []
        start, stop, complete = 0, size2, True
        while size1 != stop:
            k = start + _split(stop - start)
            if size1 <= k:
                proof.append(self._subtree(k, stop))
                stop = k
            else:
                proof.append(self._subtree(start, k))
                start, complete = k, False
        if not complete:
            proof.append(self._subtree(start, stop))
        proof.reverse()
        return proof

    def compact_range(self, size: int | None = None) -> CompactRange:
        """The frontier of the first `size` leaves, to continue appending from there."""
        size = len(self._leaves) if size is None else size
        self._check_size(size)
        hashes: list[bytes] = []
        start = 0
        for level in reversed(range(size.bit_length())):
            if size >> level & 1:
                hashes.append(self._perfect(level, start >> level))
                start += 1 << level
        return CompactRange(size, hashes, on_node=self.store_node)
