-- Margin debt (borrowed plus accrued interest) per holding, in the asset's units; null where the
-- account has none (spot, futures). value = (total - debt) x price.
ALTER TABLE holdings ADD COLUMN IF NOT EXISTS debt DOUBLE;
