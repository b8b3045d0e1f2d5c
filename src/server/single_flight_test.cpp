#include "server/single_flight.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "testlib/together.h"

namespace corrente::server {
namespace {

Response Body(const std::string& b) { return Response{200, "application/json", b}; }

TEST(SingleFlight, TheFirstLeadsAndTheOthersFollowTheSameFlight) {
  SingleFlight f;
  auto a = f.Join("k");
  auto b = f.Join("k");
  auto c = f.Join("k");
  ASSERT_TRUE(a.lead);
  EXPECT_FALSE(a.follow);
  ASSERT_TRUE(b.follow && c.follow);
  EXPECT_FALSE(b.lead || c.lead);
  EXPECT_EQ(b.follow, c.follow);
  EXPECT_EQ(f.Flying(), 1u);
  auto other = f.Join("k2");  // another key: its own lead
  EXPECT_TRUE(other.lead);
  EXPECT_EQ(f.Flying(), 2u);
  EXPECT_EQ(f.Led(), 2u);
}

TEST(SingleFlight, FollowersGetTheLeadsResponseAndAreWokenOnce) {
  SingleFlight f;
  auto lead = f.Join("k").lead;
  auto follow = f.Join("k").follow;
  int woken = 0;
  follow->OnDone([&] { ++woken; });
  EXPECT_FALSE(follow->Ended());
  EXPECT_FALSE(follow->Result());
  lead->Finish(Body("[1,2]"));
  EXPECT_EQ(woken, 1);
  ASSERT_TRUE(follow->Result());
  EXPECT_EQ(follow->Result()->Body(), "[1,2]");
  lead->Finish(Body("other"));  // the first Finish counts
  EXPECT_EQ(follow->Result()->Body(), "[1,2]");
  EXPECT_EQ(woken, 1);
  int late = 0;
  follow->OnDone([&] { ++late; });  // already ended: at once
  EXPECT_EQ(late, 1);
  // Over: the key is free, and the next request leads a new flight.
  EXPECT_EQ(f.Flying(), 0u);
  EXPECT_TRUE(f.Join("k").lead);
}

TEST(SingleFlight, ErrorsAreSharedButStreamsAndDroppedLeadsAreNot) {
  SingleFlight f;
  {
    auto lead = f.Join("err").lead;
    auto follow = f.Join("err").follow;
    lead->Finish(ErrorResponse(503, "service_unavailable", "down"));
    ASSERT_TRUE(follow->Result());
    EXPECT_EQ(follow->Result()->status, 503);
  }
  {
    auto lead = f.Join("stream").lead;
    auto follow = f.Join("stream").follow;
    Response streamed = Body("");
    streamed.stream = [](std::string&) { return false; };
    lead->Finish(streamed);
    EXPECT_TRUE(follow->Ended());
    EXPECT_FALSE(follow->Result());
  }
  {
    auto lead = f.Join("dropped").lead;
    auto follow = f.Join("dropped").follow;
    bool woken = false;
    follow->OnDone([&] { woken = true; });
    lead.reset();  // the lead threw: its flight ends with nothing
    EXPECT_TRUE(woken);
    EXPECT_FALSE(follow->Result());
  }
  {
    auto lead = f.Join("failed").lead;
    auto follow = f.Join("failed").follow;
    lead->Fail();
    EXPECT_TRUE(follow->Ended());
    EXPECT_FALSE(follow->Result());
  }
  EXPECT_EQ(f.Flying(), 0u);
}

TEST(SingleFlight, FollowerWaitTakesTheResponseFallsBackOrTimesOut) {
  SingleFlight f;
  int fallbacks = 0;
  auto fallback = [&](Request&) -> std::optional<Response> {
    ++fallbacks;
    return std::nullopt;
  };
  Request req;
  auto lead = f.Join("k").lead;
  FollowerWait shared(f, f.Join("k").follow, fallback, ErrorResponse(503, "busy", "busy"),
                      std::chrono::seconds(1));
  FollowerWait early(f, f.Join("k").follow, fallback, ErrorResponse(503, "busy", "busy"),
                     std::chrono::seconds(1));
  auto timed_out = early.Take(req);  // woken by its timer, the lead still computing
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(timed_out->status, 503);
  bool woken = false;
  shared.OnReady([&] { woken = true; });
  lead->Finish(Body("same bytes"));
  EXPECT_TRUE(woken);
  auto got = shared.Take(req);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->Body(), "same bytes");
  EXPECT_EQ(fallbacks, 0);
  auto lead2 = f.Join("k").lead;
  FollowerWait orphan(f, f.Join("k").follow, fallback, ErrorResponse(503, "busy", "busy"),
                      std::chrono::seconds(1));
  lead2.reset();
  EXPECT_FALSE(orphan.Take(req));  // computes itself: the fallback's nullopt
  EXPECT_EQ(fallbacks, 1);
  EXPECT_EQ(f.Coalesced(), 1u);
  EXPECT_EQ(f.FellBack(), 2u);
}

// A lead's 401, 403 or 429 is about its caller (attack13: its token ended while it waited for a
// worker, and a follower of another account was told to log in again): not shared.
TEST(SingleFlight, ResponsesAboutTheLeadsCallerAreNotShared) {
  SingleFlight f;
  for (int status : {401, 403, 429}) {
    auto lead = f.Join("k").lead;
    auto follow = f.Join("k").follow;
    lead->Finish(ErrorResponse(status, "e", "about the lead"));
    EXPECT_TRUE(follow->Ended());
    EXPECT_FALSE(follow->Result()) << status;
  }
}

// A follower whose own token ended while it waited is answered its refusal, not the data.
TEST(SingleFlight, FollowerWaitRefusesBeforeTakingTheResponse) {
  SingleFlight f;
  bool ended = false;
  auto refuse = [&](Request&) -> std::optional<Response> {
    if (ended) return ErrorResponse(401, "invalid_token", "ended");
    return std::nullopt;
  };
  auto none = [](Request&) -> std::optional<Response> { return std::nullopt; };
  Request req;
  auto lead = f.Join("k").lead;
  FollowerWait valid(f, f.Join("k").follow, none, ErrorResponse(503, "busy", "busy"),
                     std::chrono::seconds(1), refuse);
  lead->Finish(Body("data"));
  EXPECT_EQ(valid.Take(req)->Body(), "data");
  lead = f.Join("k").lead;
  FollowerWait late(f, f.Join("k").follow, none, ErrorResponse(503, "busy", "busy"),
                    std::chrono::seconds(1), refuse);
  lead->Finish(Body("data"));
  ended = true;
  EXPECT_EQ(late.Take(req)->status, 401);
  EXPECT_EQ(f.Coalesced(), 1u);
  EXPECT_EQ(f.FellBack(), 1u);
}

// Many threads join one key at once while the lead finishes: every follower is woken with
// the lead's response or with none (it joined a flight that had ended only if it found it in the
// table before that, so never); none is left waiting.
TEST(SingleFlight, ConcurrentJoinsAllEnd) {
  for (int round = 0; round < 20; ++round) {
    SingleFlight f;
    std::atomic<int> leads{0}, woken{0}, followers{0};
    std::vector<std::shared_ptr<FlightLead>> held(64);
    std::atomic<int> next{0};
    testing::CountTogether(64, [&] {
      auto j = f.Join("k");
      if (j.lead) {
        ++leads;
        held[static_cast<size_t>(next++)] = j.lead;
        j.lead->Finish(Body("x"));
      } else {
        ++followers;
        j.follow->OnDone([&woken, fl = j.follow] {
          if (fl->Result() && fl->Result()->Body() == "x") ++woken;
        });
      }
      return true;
    });
    EXPECT_GE(leads.load(), 1);
    EXPECT_EQ(leads + followers, 64);
    EXPECT_EQ(woken.load(), followers.load());
    EXPECT_EQ(f.Flying(), 0u);
  }
}

}  // namespace
}  // namespace corrente::server
