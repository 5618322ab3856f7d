"""Use cases of the case ledger: applications, commands, authorisation, personal-data vault."""
