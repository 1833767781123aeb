"""The audit trail: who did what, written before it takes effect."""
