SELECT DISTINCT exchange FROM holdings ORDER BY exchange
