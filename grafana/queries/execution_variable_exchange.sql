SELECT DISTINCT exchange FROM execution_reports ORDER BY exchange
