"""Integrity primitives: Merkle log hashing and proofs, signed checkpoints, offline verification."""
