-- Average implementation shortfall (bps, fees included) per algorithm and interval, by report time.
SELECT ts, kind, avg(shortfall_bps) AS shortfall_bps
FROM execution_reports
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
SAMPLE BY $__sampleByInterval ALIGN TO CALENDAR
