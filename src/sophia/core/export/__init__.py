"""The call-insights table: one row per call and per account-week, in SQL for BI tools."""
