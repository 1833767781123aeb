SELECT DISTINCT exchange FROM trades ORDER BY exchange
