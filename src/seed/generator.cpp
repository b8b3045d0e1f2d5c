#include "seed/generator.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <thread>
#include <unordered_set>

#include "common/dates.h"

namespace corrente::seed {
namespace {

constexpr double kPi = 3.14159265358979323846;

using Rng = std::mt19937_64;

// A stream per entity, so results do not depend on generation order or thread count.
Rng StreamFor(uint64_t seed, uint64_t a, uint64_t b = 0) {
  uint64_t z = seed ^ (a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return Rng(z ^ (z >> 31));
}

double Uniform(Rng& r, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(r); }
int UniformInt(Rng& r, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(r); }

struct FamilySpec {
  const char* family;
  const char* prefix;
  std::vector<std::pair<const char*, const char*>> products;  // category, product noun
  std::vector<const char*> specs;
  double cost_median;
};

const std::vector<FamilySpec>& Families() {
  static const std::vector<FamilySpec> kFamilies = {
      {"ELECTRICAL", "ELE",
       {{"CABLES", "Cabo flexível"}, {"PROTECTION", "Disjuntor"}, {"CONNECTORS", "Conector"},
        {"OUTLETS", "Tomada"}, {"SWITCHES", "Interruptor"}, {"PROTECTION", "Fusível"}},
       {"10mm", "2,5mm²", "16A", "32A", "4mm²", "20A", "6mm²"}, 18.0},
      {"TELECOM", "TEL",
       {{"FIBER", "Cabo de fibra óptica"}, {"CONNECTORS", "Conector RJ45"}, {"CABLES", "Patch cord"},
        {"RADIO", "Antena"}, {"ACTIVE", "Roteador"}, {"FIBER", "Splitter óptico"}},
       {"Cat6", "SM 12F", "1x8", "5dBi", "3m", "Cat5e", "1x16"}, 45.0},
      {"HARDWARE", "HDW",
       {{"FASTENERS", "Parafuso sextavado"}, {"FASTENERS", "Porca"}, {"FASTENERS", "Arruela"},
        {"ANCHORS", "Bucha de nylon"}, {"CLAMPS", "Abraçadeira"}},
       {"M6", "M8", "M10", "1/4\"", "3/8\"", "8mm", "10mm"}, 1.5},
      {"TOOLS", "TLS",
       {{"HAND", "Alicate universal"}, {"HAND", "Chave de fenda"}, {"MEASURE", "Trena"},
        {"POWER", "Furadeira"}},
       {"8\"", "6mm", "5m", "650W", "10\"", "3/16\""}, 60.0},
      {"SAFETY", "SAF",
       {{"PPE", "Luva de proteção"}, {"PPE", "Capacete"}, {"PPE", "Óculos de proteção"}, {"PPE", "Bota de segurança"}},
       {"P", "M", "G", "classe B", "nº 42", "incolor"}, 25.0},
  };
  return kFamilies;
}

struct ItemModel {
  double base;        // mean daily units at an average site
  double trend;       // relative growth per year
  double yearly_amp;  // yearly seasonality amplitude
  double yearly_phase;
  double weekly[7];
  double occur_p;     // intermittent: probability of a demand day
  double size_mean;   // intermittent: mean size of a demand
};

void SimulatePair(const SeedOptions& o, const Dataset& ds, const ItemModel& m, int item, int site,
                  double site_mult, const std::unordered_set<int64_t>& holidays,
                  std::vector<DemandRow>& demand, std::vector<InventoryRow>& inv, std::vector<OrderRow>& orders) {
  const Item& it = ds.items[item - 1];
  const Supplier& sup = ds.suppliers[it.supplier - 1];
  Rng r = StreamFor(o.seed, 1000003ULL + item, site);
  double pair_mult = site_mult * std::exp(std::normal_distribution<double>(0, 0.25)(r));
  std::gamma_distribution<double> overdispersion(4.0, 0.25);

  // Expected daily demand and its spread, for the replenishment policy.
  double mean_daily = it.intermittent ? m.occur_p * m.size_mean * pair_mult : m.base * pair_mult;
  double sd_daily = it.intermittent ? std::sqrt(m.occur_p * (m.size_mean * m.size_mean + m.size_mean)) * std::sqrt(pair_mult)
                                    : std::sqrt(mean_daily * 1.25);
  double lead = sup.avg_lead_time;
  double z = Uniform(r, 0.3, 1.9);  // some pairs are under-protected: real stockouts
  double s = std::ceil(mean_daily * lead + z * sd_daily * std::sqrt(lead));
  double cover = Uniform(r, 10, 40);
  double big_s = s + std::max(std::ceil(mean_daily * cover), it.min_order_qty);
  double stock = big_s;
  struct Pending {
    int64_t arrival;
    double qty;
  };
  std::vector<Pending> pending;
  double on_order = 0;

  for (int64_t d = ds.first_day; d <= ds.last_day; ++d) {
    for (auto p = pending.begin(); p != pending.end();) {
      if (p->arrival == d) {
        stock += p->qty;
        on_order -= p->qty;
        p = pending.erase(p);
      } else {
        ++p;
      }
    }
    double t = (d - ds.first_day) / 365.25;
    Ymd ymd = CivilFromDays(d);
    double doy = static_cast<double>(d - DaysFromCivil({ymd.year, 1, 1}));
    double level = m.base * pair_mult * std::max(0.05, 1 + m.trend * t) * m.weekly[Weekday(d)] *
                   (1 + m.yearly_amp * std::sin(2 * kPi * (doy / 365.25 - m.yearly_phase)));
    double holiday_mult = 1;
    if (holidays.count(d)) holiday_mult = 0.35;
    else if (holidays.count(d + 1)) holiday_mult = 1.3;
    double q = 0;
    if (it.intermittent) {
      if (Uniform(r, 0, 1) < m.occur_p * holiday_mult)
        q = 1 + std::poisson_distribution<int>(std::max(0.01, m.size_mean - 1))(r);
    } else {
      double lambda = level * holiday_mult * overdispersion(r);
      q = lambda > 0 ? std::poisson_distribution<int>(lambda)(r) : 0;
    }
    if (q > 0) demand.push_back({d, item, site, q});
    stock = std::max(0.0, stock - q);
    inv.push_back({d, item, site, stock});

    if (stock + on_order <= s) {
      double qty = std::clamp(big_s - stock - on_order, it.min_order_qty, it.max_order_qty);
      qty = std::ceil(qty);
      int nominal = sup.avg_lead_time;
      int actual_lead = std::max(1, static_cast<int>(std::lround(nominal * std::exp(std::normal_distribution<double>(0, 0.12)(r)))));
      int64_t expected = d + nominal;
      double u = Uniform(r, 0, 1);
      double delay_p = 0.04 + (100 - sup.reliability) / 100 * 0.5;
      OrderRow o_row{d, item, site, it.supplier, qty, it.unit_cost, "RECEIVED", expected, -1};
      int64_t arrival;
      if (u < 0.03) {
        o_row.status = "CANCELLED";
        orders.push_back(o_row);
        continue;
      } else if (u < 0.03 + delay_p) {
        arrival = expected + UniformInt(r, 3, 15);
      } else {
        arrival = std::min<int64_t>(d + actual_lead, expected);
      }
      if (arrival > ds.last_day) {
        o_row.status = expected < ds.last_day ? "DELAYED" : "PLACED";
      } else {
        o_row.actual_day = arrival;
        o_row.status = arrival > expected ? "DELAYED" : "RECEIVED";
      }
      orders.push_back(o_row);
      pending.push_back({arrival, qty});
      on_order += qty;
    }
  }
}

}  // namespace

Dataset Generate(const SeedOptions& o) {
  Dataset ds;
  ds.last_day = o.end_day != 0 ? o.end_day : TodayUtc() - 1;
  ds.first_day = ds.last_day - o.days + 1;
  Rng r = StreamFor(o.seed, 1);

  ds.regions = {{"Norte", "AM", "Zona Franca de Manaus"},
                {"Nordeste", "PE", "Nordeste"},
                {"Centro-Oeste", "DF", "Centro-Oeste"},
                {"Sudeste", "SP", "Sudeste"},
                {"Sul", "RS", "Sul"}};
  struct City {
    const char* name;
    int region;
    double lat, lon;
  };
  static const City kCities[] = {
      {"Manaus", 1, -3.1190, -60.0217},    {"Belém", 1, -1.4558, -48.4902},
      {"Recife", 2, -8.0476, -34.8770},    {"Salvador", 2, -12.9714, -38.5014},
      {"Brasília", 3, -15.7939, -47.8828}, {"Goiânia", 3, -16.6869, -49.2648},
      {"São Paulo", 4, -23.5505, -46.6333}, {"Rio de Janeiro", 4, -22.9068, -43.1729},
      {"Porto Alegre", 5, -30.0346, -51.2177}, {"Curitiba", 5, -25.4284, -49.2733},
      {"Fortaleza", 2, -3.7319, -38.5267}, {"Belo Horizonte", 4, -19.9167, -43.9345},
  };
  constexpr int kNumCities = sizeof(kCities) / sizeof(kCities[0]);
  for (int i = 0; i < o.sites; ++i) {
    const City& c = kCities[i % kNumCities];
    std::string type = i < 5 ? "DISTRIBUTION_CENTER" : (i % 3 == 0 ? "WAREHOUSE" : "STORE");
    char code[16];
    std::snprintf(code, sizeof code, "SUC%03d", i + 1);
    std::string name = std::string(type == "STORE" ? "Loja " : type == "WAREHOUSE" ? "Armazém " : "CD ") + c.name;
    if (i >= kNumCities) name += " " + std::to_string(i / kNumCities + 1);
    ds.sites.push_back({code, name, c.region, c.lat + 0.01 * (i / kNumCities), c.lon, type});
  }

  static const char* kSupplierTypes[] = {"DOMESTIC", "DOMESTIC", "DOMESTIC", "HYBRID", "IMPORT"};
  static const char* kSupplierNames[] = {"Distribuidora", "Indústria", "Comercial", "Importadora", "Atacado"};
  static const char* kSupplierPlaces[] = {"Paulista", "Nordeste", "do Sul", "Amazônia", "Central", "Atlântico",
                                          "Mineira", "Carioca", "Gaúcha", "Baiana"};
  for (int i = 0; i < o.suppliers; ++i) {
    std::string type = kSupplierTypes[UniformInt(r, 0, 4)];
    int lead = type == "DOMESTIC" ? UniformInt(r, 3, 10) : type == "HYBRID" ? UniformInt(r, 10, 20) : UniformInt(r, 25, 45);
    char code[16];
    std::snprintf(code, sizeof code, "SUP%03d", i + 1);
    double reliability = std::round(Uniform(r, 72, 99) * 100) / 100;
    std::string name = std::string(kSupplierNames[i % 5]) + " " + kSupplierPlaces[(i / 5) % 10] + " " +
                       std::to_string(i / 50 + 1);
    ds.suppliers.push_back({code, name, type, reliability, std::round(Uniform(r, reliability - 10, reliability) * 100) / 100, lead});
  }

  std::vector<ItemModel> models;
  const auto& fams = Families();
  for (int i = 0; i < o.items; ++i) {
    Rng ir = StreamFor(o.seed, 2, i + 1);
    const FamilySpec& f = fams[i % fams.size()];
    const auto& prod = f.products[UniformInt(ir, 0, static_cast<int>(f.products.size()) - 1)];
    const char* spec = f.specs[UniformInt(ir, 0, static_cast<int>(f.specs.size()) - 1)];
    char sku[24];
    std::snprintf(sku, sizeof sku, "%s-%05d", f.prefix, i + 1);
    double cost = std::round(f.cost_median * std::exp(std::normal_distribution<double>(0, 0.6)(ir)) * 100) / 100;
    cost = std::max(cost, 0.05);
    double price = std::round(cost * Uniform(ir, 1.2, 1.9) * 100) / 100;
    bool intermittent = Uniform(ir, 0, 1) < 0.28;
    double min_oq = std::pow(10, UniformInt(ir, 0, 2));
    Item item{sku, std::string(prod.second) + " " + spec, f.family, prod.first, spec, cost, price,
              UniformInt(ir, 1, 10), UniformInt(ir, 1, o.suppliers), min_oq, min_oq * UniformInt(ir, 50, 500),
              intermittent, "C"};
    ds.items.push_back(item);

    ItemModel m{};
    m.base = std::exp(std::normal_distribution<double>(std::log(4.0), 0.9)(ir));
    m.trend = Uniform(ir, -0.15, 0.3);
    m.yearly_amp = Uniform(ir, 0.0, 0.35);
    m.yearly_phase = Uniform(ir, 0, 1);
    static const double kWeekly[7] = {0.35, 1.15, 1.1, 1.05, 1.05, 1.2, 0.65};
    double wsum = 0;
    for (int d = 0; d < 7; ++d) wsum += m.weekly[d] = kWeekly[d] * Uniform(ir, 0.9, 1.1);
    for (double& w : m.weekly) w *= 7 / wsum;
    m.occur_p = Uniform(ir, 0.05, 0.3);
    m.size_mean = Uniform(ir, 1, 6);
    models.push_back(m);
  }
  std::vector<double> site_mult;
  for (int s = 0; s < o.sites; ++s) {
    Rng sr = StreamFor(o.seed, 3, s + 1);
    site_mult.push_back(ds.sites[s].type == "DISTRIBUTION_CENTER" ? Uniform(sr, 1.0, 1.6) : Uniform(sr, 0.4, 1.0));
  }
  std::unordered_set<int64_t> holidays;
  for (int y = CivilFromDays(ds.first_day).year; y <= CivilFromDays(ds.last_day).year + 1; ++y)
    for (const auto& h : BrazilHolidays(y)) holidays.insert(h.day);

  int threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, std::max(1, o.items));
  struct Chunk {
    std::vector<DemandRow> demand;
    std::vector<InventoryRow> inv;
    std::vector<OrderRow> orders;
  };
  std::vector<Chunk> chunks(threads);
  {
    std::vector<std::jthread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        int lo = o.items * t / threads, hi = o.items * (t + 1) / threads;
        Chunk& c = chunks[t];
        c.inv.reserve(static_cast<size_t>(hi - lo) * o.sites * o.days);
        for (int i = lo; i < hi; ++i)
          for (int s = 0; s < o.sites; ++s)
            SimulatePair(o, ds, models[i], i + 1, s + 1, site_mult[s], holidays, c.demand, c.inv, c.orders);
      });
    }
  }
  for (auto& c : chunks) {
    ds.demand.insert(ds.demand.end(), c.demand.begin(), c.demand.end());
    ds.inventory.insert(ds.inventory.end(), c.inv.begin(), c.inv.end());
    ds.orders.insert(ds.orders.end(), c.orders.begin(), c.orders.end());
    c = Chunk{};
  }

  // ABC by trailing 12-month revenue: A up to 80% of revenue, B the next 15%, C the rest.
  std::vector<double> revenue(o.items, 0);
  for (const auto& d : ds.demand)
    if (d.day > ds.last_day - 365) revenue[d.item - 1] += d.quantity * ds.items[d.item - 1].unit_price;
  std::vector<int> order(o.items);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return revenue[a] > revenue[b]; });
  double total = std::accumulate(revenue.begin(), revenue.end(), 0.0), cum = 0;
  for (int idx : order) {
    double share_before = total > 0 ? cum / total : 1;
    ds.items[idx].abc_class = share_before < 0.80 ? "A" : share_before < 0.95 ? "B" : "C";
    cum += revenue[idx];
  }
  return ds;
}

}  // namespace corrente::seed
