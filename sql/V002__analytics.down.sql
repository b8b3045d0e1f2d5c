DROP TABLE IF EXISTS analytics.forecast_accuracy, analytics.inventory_policy, analytics.alerts,
  analytics.recommendations, analytics.kpis_daily, analytics.features_store, analytics.forecasts,
  analytics.pipeline_runs CASCADE;
