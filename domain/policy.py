"""The policy in force: which version of the Hate Policy the ledger's rules implement.

Every event records this version, so an evidence pack can say which rules applied to a
decision even after the policy has been revised.
"""

POLICY_VERSION = "Hate Policy (Midland Heart) v2024.1"
