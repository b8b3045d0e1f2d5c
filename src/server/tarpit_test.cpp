#include "server/tarpit.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace corrente::server {
namespace {

TEST(Tarpit, BoundsPerAddressAndInAllAndReleasesOnDestruction) {
  Tarpit t(/*total=*/3, /*per_address=*/2);
  std::vector<Tarpit::Hold> held;
  held.push_back(t.Enter("10.0.0.1"));
  held.push_back(t.Enter("10.0.0.1"));
  EXPECT_TRUE(held[0]);
  EXPECT_TRUE(held[1]);
  EXPECT_FALSE(t.Enter("10.0.0.1"));  // the address's bound
  held.push_back(t.Enter("10.0.0.2"));
  EXPECT_TRUE(held[2]);
  EXPECT_FALSE(t.Enter("10.0.0.3"));  // the total
  EXPECT_EQ(t.held(), 3u);
  EXPECT_EQ(t.overflowed(), 2u);
  held.erase(held.begin());  // one of 10.0.0.1's places comes back
  EXPECT_EQ(t.held(), 2u);
  EXPECT_TRUE(t.Enter("10.0.0.3"));  // and is released again at once (a temporary)
  auto again = t.Enter("10.0.0.1");
  EXPECT_TRUE(again);
  EXPECT_FALSE(t.Enter("10.0.0.1"));
  held.clear();
  std::optional<Tarpit::Hold> moved(std::move(again));
  EXPECT_EQ(t.held(), 1u);  // the moved-from hold released nothing
  moved.reset();
  EXPECT_EQ(t.held(), 0u);
  EXPECT_EQ(t.overflowed(), 3u);
  EXPECT_EQ(t.entered(), 5u);
}

}  // namespace
}  // namespace corrente::server
