#pragma once
// Demo data generation: pure and deterministic by seed (independent of thread count).
#include <cstdint>
#include <string>
#include <vector>

namespace corrente::seed {

struct SeedOptions {
  uint64_t seed = 42;
  int items = 500;
  int sites = 10;
  int suppliers = 50;
  int days = 1095;       // history length, ending at end_day
  int64_t end_day = 0;   // last day of history (days since 1970); 0 = yesterday (UTC)
  int threads = 0;       // 0 = hardware concurrency
};

struct Region {
  std::string name, state_code, economic_zone;
};
struct Site {
  std::string code, name;
  int region;  // 1-based region id
  double lat, lon;
  std::string type;
};
struct Supplier {
  std::string code, name, type;
  double reliability, on_time_rate;
  int avg_lead_time;
};
struct Item {
  std::string sku, name, family, category, subcategory;
  double unit_cost, unit_price;
  int criticality;
  int supplier;  // 1-based supplier id
  double min_order_qty, max_order_qty;
  bool intermittent;
  std::string abc_class;  // from trailing 12-month revenue (80/15/5)
};
struct DemandRow {
  int64_t day;
  int32_t item, site;  // 1-based ids
  double quantity;
};
struct InventoryRow {
  int64_t day;
  int32_t item, site;
  double stock;
};
struct OrderRow {
  int64_t order_day;
  int32_t item, site, supplier;
  double quantity, unit_price;
  std::string status;  // PLACED, RECEIVED, CANCELLED, DELAYED
  int64_t expected_day;
  int64_t actual_day;  // -1 = not delivered
};

struct Dataset {
  int64_t first_day, last_day;
  std::vector<Region> regions;
  std::vector<Site> sites;
  std::vector<Supplier> suppliers;
  std::vector<Item> items;
  std::vector<DemandRow> demand;        // nonzero days only, ordered by item, site, day
  std::vector<InventoryRow> inventory;  // every day of every pair
  std::vector<OrderRow> orders;
};

Dataset Generate(const SeedOptions& options);

}  // namespace corrente::seed
