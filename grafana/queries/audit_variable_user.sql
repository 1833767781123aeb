SELECT DISTINCT user_name FROM audit_events ORDER BY user_name
