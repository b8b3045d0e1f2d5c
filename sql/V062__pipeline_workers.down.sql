DROP TABLE IF EXISTS analytics.pipeline_alerts, analytics.pipeline_recommendations,
  analytics.pipeline_features, analytics.pipeline_slices, analytics.pipeline_work;
