# Fits R forecast's ets(), auto.arima() and thetaf() on every M4 Weekly training series
# (ts frequency 52) and writes their 13-step forecasts in the M4 layout plus the timings
# (wall-clock and CPU seconds of the fit + forecast calls only; reading the CSV is excluded).
# Usage: Rscript r_forecast.R TRAIN.csv OUT_DIR HORIZON LIMIT METHODS
# LIMIT 0 means all series; METHODS is a comma list of ets,arima,theta, each optionally with
# its own series count ("arima:30" fits auto.arima on 30 evenly spaced series only, because
# seasonal auto.arima at frequency 52 takes minutes on the longest series).
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
train_path <- args[1]
out_dir <- args[2]
h <- as.integer(args[3])
limit <- as.integer(args[4])
methods <- strsplit(args[5], ",")[[1]]

train <- read.csv(train_path, header = TRUE, stringsAsFactors = FALSE, check.names = FALSE)
if (limit > 0 && limit < nrow(train)) train <- train[seq_len(limit), ]
ids <- train[[1]]

fitters <- list(
  ets = function(y) forecast(ets(y), h = h)$mean,
  arima = function(y) forecast(auto.arima(y), h = h)$mean,
  theta = function(y) thetaf(y, h = h)$mean
)

timings <- c()
for (spec in methods) {
  parts <- strsplit(spec, ":")[[1]]
  method <- parts[1]
  rows <- seq_along(ids)
  if (length(parts) > 1 && as.integer(parts[2]) < length(ids)) {
    rows <- unique(round(seq(1, length(ids), length.out = as.integer(parts[2]))))
  }
  count <- length(rows)
  fit <- fitters[[method]]
  out <- matrix(NA_real_, nrow = count, ncol = h)
  seconds <- 0
  cpu <- 0
  for (k in seq_len(count)) {
    i <- rows[k]
    values <- as.numeric(train[i, -1])
    values <- values[!is.na(values)]
    y <- ts(values, frequency = 52)
    t0 <- proc.time()
    fc <- suppressWarnings(fit(y))
    t1 <- proc.time()
    seconds <- seconds + (t1[["elapsed"]] - t0[["elapsed"]])
    cpu <- cpu + (t1[["user.self"]] - t0[["user.self"]]) + (t1[["sys.self"]] - t0[["sys.self"]])
    out[k, ] <- as.numeric(fc)
    if (method == "arima") {
      cat(sprintf("  arima %s: %.1f s so far\n", ids[i], seconds), file = stderr())
    }
  }
  df <- data.frame(id = ids[rows], model = method, out, check.names = FALSE)
  colnames(df) <- c("id", "model", paste0("F", seq_len(h)))
  write.csv(df, file.path(out_dir, paste0("r_", method, ".csv")), row.names = FALSE, quote = FALSE)
  timings <- rbind(timings, data.frame(method = method, seconds = seconds, series = count,
                                        cpu_seconds = cpu))
  cat(sprintf("R %-6s %8.2f s (CPU %.2f s) for %d series\n", method, seconds, cpu, count),
      file = stderr())
}
write.csv(timings, file.path(out_dir, "r_timings.csv"), row.names = FALSE, quote = FALSE)
