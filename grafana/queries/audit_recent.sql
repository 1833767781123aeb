-- The audit trail: who did what, allowed or denied, newest first.
SELECT ts, user_name, role, action, target, outcome, client, params
FROM audit_events
WHERE $__timeFilter(ts) AND user_name IN (${user:singlequote})
ORDER BY ts DESC
LIMIT 500
