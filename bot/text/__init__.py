"""Text utilities: input normalisation and masking of personal data."""
