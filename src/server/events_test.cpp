#include "server/events.h"

#include <gtest/gtest.h>

#include <vector>

namespace corrente::server {
namespace {

EventHub::Options Opts(size_t ring, size_t max_streams = 8) {
  EventHub::Options o;
  o.ring = ring;
  o.max_streams = max_streams;
  o.epoch = "E";
  return o;
}

std::string TakeAll(LiveBody& b) {
  std::string out;
  EXPECT_TRUE(b.Take(out));
  return out;
}

TEST(FormatEvent, OneDataFieldPerLine) {
  EXPECT_EQ(FormatEvent("E", {7, "alerts_changed", R"({"count":2})"}),
            "id: E-7\nevent: alerts_changed\ndata: {\"count\":2}\n\n");
  EXPECT_EQ(FormatEvent("E", {1, "x", "a\nb"}), "id: E-1\nevent: x\ndata: a\ndata: b\n\n");
}

TEST(ParseEventId, OnlyThisHubsIds) {
  EXPECT_EQ(ParseEventId("123", "123-45"), 45u);
  EXPECT_EQ(ParseEventId("123", "124-45"), std::nullopt);
  EXPECT_EQ(ParseEventId("123", "123-"), std::nullopt);
  EXPECT_EQ(ParseEventId("123", "123-4x"), std::nullopt);
  EXPECT_EQ(ParseEventId("123", "45"), std::nullopt);
  EXPECT_EQ(ParseEventId("123", "12-45"), std::nullopt);
}

TEST(EventHub, NewStreamStartsWithReadyAndGetsLaterEvents) {
  EventHub hub(Opts(4));
  hub.Publish("run_published", R"({"run_id":1})");
  auto s = hub.Open(std::nullopt, {});
  int wakes = 0;
  s->OnReady([&] { ++wakes; });
  std::string first = TakeAll(*s);
  EXPECT_EQ(first.find("run_published"), std::string::npos);  // before it opened: not replayed
  EXPECT_NE(first.find("id: E-1\nevent: ready\n"), std::string::npos);
  hub.Publish("alerts_changed", R"({"count":1})");
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(TakeAll(*s), "id: E-2\nevent: alerts_changed\ndata: {\"count\":1}\n\n");
  EXPECT_EQ(TakeAll(*s), "");
}

TEST(EventHub, ResumesAfterLastEventId) {
  EventHub hub(Opts(4));
  for (int i = 1; i <= 5; ++i) hub.Publish("e", "{\"n\":" + std::to_string(i) + "}");
  auto s = hub.Open("E-3", {});
  std::string out = TakeAll(*s);
  EXPECT_EQ(out.find("E-3\n"), std::string::npos);
  EXPECT_LT(out.find("id: E-4\n"), out.find("id: E-5\nevent: e\n"));
  EXPECT_LT(out.find("id: E-5\nevent: e\n"), out.find("event: ready"));
  EXPECT_EQ(out.find("reset"), std::string::npos);
}

TEST(EventHub, TooOldOrForeignIdGetsReset) {
  EventHub hub(Opts(2));
  for (int i = 1; i <= 5; ++i) hub.Publish("e", "{}");
  // The ring holds 4 and 5: after 3 nothing was lost, after 2 event 3 was.
  EXPECT_EQ(TakeAll(*hub.Open("E-3", {})).find("reset"), std::string::npos);
  for (std::string id : {"E-2", "E-9", "F-4", "garbage"}) {
    std::string out = TakeAll(*hub.Open(id, {}));
    EXPECT_NE(out.find("id: E-5\nevent: reset\n"), std::string::npos) << id;
    EXPECT_EQ(out.find("event: e\n"), std::string::npos) << id;
  }
}

TEST(EventHub, SlowStreamThatFellBehindTheRingGetsReset) {
  EventHub hub(Opts(2));
  auto s = hub.Open(std::nullopt, {});
  TakeAll(*s);
  for (int i = 1; i <= 3; ++i) hub.Publish("e", "{}");
  std::string out = TakeAll(*s);
  EXPECT_EQ(out, "id: E-3\nevent: reset\ndata: {\"reason\":\"fell_behind\"}\n\n");
}

TEST(EventHub, CapsOpenStreamsAndFreesOnClose) {
  EventHub hub(Opts(4, 2));
  auto a = hub.Open(std::nullopt, {});
  auto b = hub.Open(std::nullopt, {});
  EXPECT_EQ(hub.Open(std::nullopt, {}), nullptr);
  EXPECT_EQ(hub.Streams(), 2u);
  a.reset();
  EXPECT_EQ(hub.Streams(), 1u);
  EXPECT_NE(hub.Open(std::nullopt, {}), nullptr);
}

TEST(EventHub, OneAccountCannotTakeEveryStream) {
  EventHub::Options o = Opts(4, 8);
  o.max_per_user = 3;
  EventHub hub(o);
  std::vector<std::shared_ptr<LiveBody>> mine;
  for (int i = 0; i < 3; ++i) mine.push_back(hub.Open(std::nullopt, {}, 7));
  EXPECT_EQ(hub.Open(std::nullopt, {}, 7), nullptr) << "account 7 is at its cap";
  auto other = hub.Open(std::nullopt, {}, 8);
  EXPECT_NE(other, nullptr) << "another account still gets a stream";
  mine.pop_back();
  EXPECT_NE(hub.Open(std::nullopt, {}, 7), nullptr) << "a closed stream frees its place";
}

TEST(EventHub, InvalidStreamEnds) {
  EventHub hub(Opts(4));
  bool ok = true;
  auto s = hub.Open(std::nullopt, [&] { return ok; });
  std::string out;
  EXPECT_TRUE(s->Take(out));
  ok = false;
  EXPECT_FALSE(s->Take(out));
}

}  // namespace
}  // namespace corrente::server
