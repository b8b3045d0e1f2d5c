# R forecast's ets() 80% and 95% intervals on every M4 Weekly training series (ts frequency
# 52), written in `corrente forecast --intervals`'s layout, for intervals.py.
# Usage: Rscript r_intervals.R TRAIN.csv OUT.csv HORIZON LIMIT
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
train <- read.csv(args[1], header = TRUE, stringsAsFactors = FALSE, check.names = FALSE)
h <- as.integer(args[3])
limit <- as.integer(args[4])
if (limit > 0 && limit < nrow(train)) train <- train[seq_len(limit), ]
rows <- list()
for (i in seq_len(nrow(train))) {
  y <- as.numeric(train[i, -1])
  y <- y[!is.na(y)]
  f <- forecast(ets(ts(y, frequency = 52)), h = h, level = c(80, 95))
  rows[[i]] <- c(train[i, 1], "R_ets", f$mean, f$lower[, 1], f$upper[, 1], f$lower[, 2], f$upper[, 2])
}
out <- do.call(rbind, rows)
hdr <- c("id", "model", paste0("F", 1:h), paste0("LO80_", 1:h), paste0("HI80_", 1:h),
         paste0("LO95_", 1:h), paste0("HI95_", 1:h))
colnames(out) <- hdr
write.csv(out, args[2], row.names = FALSE, quote = FALSE)
