-- Audited requests per user and action in the time range, denials counted apart.
SELECT user_name, role, action, count() AS requests,
       sum(CASE WHEN outcome = 'denied' THEN 1 ELSE 0 END) AS denied
FROM audit_events
WHERE $__timeFilter(ts) AND user_name IN (${user:singlequote})
ORDER BY requests DESC
