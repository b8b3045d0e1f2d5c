DROP TABLE analytics.override_baselines;
DROP TABLE analytics.overrides;
