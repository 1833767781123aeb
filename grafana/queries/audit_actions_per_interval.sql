-- Audited requests per interval, allowed and denied (a burst of denials stands out).
SELECT ts, outcome, count() AS requests
FROM audit_events
WHERE $__timeFilter(ts) AND user_name IN (${user:singlequote})
SAMPLE BY $__sampleByInterval ALIGN TO CALENDAR
