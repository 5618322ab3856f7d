"""Evidence files: their bytes received, recognised, encrypted, stored and proven."""
