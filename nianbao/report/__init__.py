"""The annual report: aggregation, problems found in the data, the 五聚焦 draft in every format."""
