// The transport under connection floods, in-process and without a database, so it also runs
// under the asan preset: thousands of idle connections, slowloris headers, slow bodies and a
// full table. The server must stay up and keep answering /health throughout.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/connections.h"

namespace corrente::server {
namespace {

using Clock = std::chrono::steady_clock;

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads until the peer closes or `timeout` passes; returns what arrived.
std::string ReadUntilClose(int fd, std::chrono::milliseconds timeout, bool* closed = nullptr) {
  std::string out;
  auto end = Clock::now() + timeout;
  if (closed) *closed = false;
  for (bool first = true;; first = false) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
    if (left <= 0 && !first) return out;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::max<long>(left, 0))) <= 0) continue;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      if (closed) *closed = true;
      return out;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

// One GET /health on a fresh connection; the status code (0 on failure) and the time taken.
std::pair<int, double> Health(int port) {
  auto t0 = Clock::now();
  int fd = Connect(port);
  if (fd < 0) return {0, 0};
  SendAll(fd, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string r = ReadUntilClose(fd, std::chrono::seconds(5));
  close(fd);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (r.rfind("HTTP/1.1 ", 0) != 0) return {0, ms};
  return {std::atoi(r.c_str() + 9), ms};
}

size_t RssKb() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, rss = 0;
  f >> pages >> rss;
  return rss * static_cast<size_t>(sysconf(_SC_PAGESIZE)) / 1024;
}

// A server on an ephemeral port, run on its own thread; `routes` may add more.
class TestServer {
 public:
  explicit TestServer(ServerOptions opt, const std::function<void(Router&)>& routes = {},
                      ServerHooks hooks = {}) {
    if (routes) routes(router_);
    router_.Add("GET", "/health", [](const Request&) {
      return Response(200, "application/json", R"({"status":"healthy"})");
    });
    router_.Add("POST", "/echo", [](const Request& r) {
      return Response(200, "text/plain", std::to_string(r.body.size()));
    });
    opt.port = 0;
    opt.host = "127.0.0.1";
    server_ = std::make_unique<HttpServer>(opt, router_, std::move(hooks));
    std::promise<int> bound;
    auto f = bound.get_future();
    thread_ = std::thread([this, &bound] { server_->Run([&](int p) { bound.set_value(p); }); });
    port_ = f.get();
  }
  ~TestServer() {
    server_->Stop();
    thread_.join();
  }
  int port() const { return port_; }
  HttpServer& http() { return *server_; }

 private:
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  int port_ = 0;
};

struct Latencies {
  int answered = 0, failed = 0;
  double max_ms = 0;
  std::vector<double> all;
  void Add(std::pair<int, double> r) {
    if (r.first == 200) {
      ++answered;
      max_ms = std::max(max_ms, r.second);
      all.push_back(r.second);
    } else {
      ++failed;
    }
  }
  double Median() {
    if (all.empty()) return 0;
    std::sort(all.begin(), all.end());
    return all[all.size() / 2];
  }
};

int FloodSize() {
  const char* e = std::getenv("CORRENTE_FLOOD_CONNECTIONS");
  return e ? std::atoi(e) : 2000;
}

TEST(HttpServerFlood, IdleConnectionsUnderTheCapTimeOutTogetherAndHealthAnswers) {
  ServerOptions opt;
  opt.threads = 2;
  opt.workers = 2;
  opt.header_timeout = std::chrono::seconds(2);
  opt.max_connections = 20000;
  TestServer s(opt);
  size_t rss0 = RssKb();
  const int n = FloodSize();
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    int fd = Connect(s.port());
    ASSERT_GE(fd, 0) << "connect " << i;
    fds.push_back(fd);
  }
  Latencies lat;
  // Through the moment every idle connection's header timeout fires at once (the crash).
  auto until = Clock::now() + std::chrono::milliseconds(3500);
  size_t peak_open = 0;
  while (Clock::now() < until) {
    lat.Add(Health(s.port()));
    peak_open = std::max(peak_open, s.http().Connections().open);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  int closed_by_server = 0;
  for (int fd : fds) {
    bool closed = false;
    ReadUntilClose(fd, std::chrono::milliseconds(1), &closed);
    closed_by_server += closed;
    close(fd);
  }
  size_t rss1 = RssKb();
  std::printf("idle flood: %d connections, peak open %zu, /health %d answered, %d failed, "
              "median %.1f ms, max %.1f ms, rss +%zu KiB\n",
              n, peak_open, lat.answered, lat.failed, lat.Median(), lat.max_ms, rss1 - rss0);
  EXPECT_GE(peak_open, static_cast<size_t>(n));
  EXPECT_EQ(lat.failed, 0);
  EXPECT_GT(lat.answered, 20);
  // Not a performance assertion: a stall of a second would mean the I/O threads were stuck.
  EXPECT_LT(lat.max_ms, 1000.0);
  EXPECT_EQ(closed_by_server, n) << "every idle connection is closed at the header timeout";
  // Bounded memory: well under 64 KiB a connection, with the buffers given back.
  EXPECT_LT(rss1 - rss0, static_cast<size_t>(n) * 64);
}

TEST(HttpServerFlood, PastTheCapTheLongestIdleIsEvictedSoRealClientsGetIn) {
  ServerOptions opt;
  opt.threads = 2;
  opt.workers = 2;
  opt.max_connections = 100;
  opt.header_timeout = std::chrono::seconds(30);
  TestServer s(opt);
  std::vector<int> fds;
  for (int i = 0; i < 600; ++i) {
    int fd = Connect(s.port());
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
  }
  Latencies lat;
  for (int i = 0; i < 20; ++i) lat.Add(Health(s.port()));
  auto c = s.http().Connections();
  std::printf("cap 100, 600 idle: open %zu, evicted %zu, /health %d/%d, max %.1f ms\n", c.open,
              c.evicted, lat.answered, lat.answered + lat.failed, lat.max_ms);
  EXPECT_EQ(lat.failed, 0);
  EXPECT_LE(c.open, 100u);
  EXPECT_GE(c.evicted, 500u);
  // The first connections, idle longest, were the ones closed.
  bool closed = false;
  ReadUntilClose(fds.front(), std::chrono::milliseconds(500), &closed);
  EXPECT_TRUE(closed);
  for (int fd : fds) close(fd);
}

TEST(HttpServerFlood, SlowlorisHeadersAreCutAtTheHeaderTimeout) {
  ServerOptions opt;
  opt.threads = 2;
  opt.header_timeout = std::chrono::seconds(1);
  TestServer s(opt);
  std::vector<int> fds;
  for (int i = 0; i < 200; ++i) fds.push_back(Connect(s.port()));
  const std::string head = "GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ";
  auto t0 = Clock::now();
  int alive = static_cast<int>(fds.size());
  Latencies lat;
  // A byte every 100 ms from each: never a whole header, never 1 s of silence.
  for (size_t k = 0; Clock::now() - t0 < std::chrono::seconds(3) && alive > 0; ++k) {
    alive = 0;
    for (int fd : fds) {
      std::string b(1, k < head.size() ? head[k] : 'a');
      alive += SendAll(fd, b) ? 1 : 0;
    }
    lat.Add(Health(s.port()));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  int closed_count = 0;
  for (int fd : fds) {
    bool closed = false;
    ReadUntilClose(fd, std::chrono::milliseconds(200), &closed);
    closed_count += closed;
    close(fd);
  }
  std::printf("slowloris: 200 connections, %d closed by the server, /health %d/%d\n",
              closed_count, lat.answered, lat.answered + lat.failed);
  EXPECT_EQ(closed_count, 200);
  EXPECT_EQ(lat.failed, 0);
}

TEST(HttpServerFlood, SlowBodyIsCutAtTheRequestTimeout) {
  ServerOptions opt;
  opt.threads = 2;
  opt.request_timeout = std::chrono::seconds(1);
  TestServer s(opt);
  int fd = Connect(s.port());
  ASSERT_TRUE(SendAll(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"));
  bool closed = false;
  auto t0 = Clock::now();
  std::string r = ReadUntilClose(fd, std::chrono::seconds(5), &closed);
  close(fd);
  EXPECT_TRUE(closed);
  EXPECT_EQ(r, "") << "an unfinished body is never handled";
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(4));
  // A whole body on time is answered.
  fd = Connect(s.port());
  SendAll(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
  r = ReadUntilClose(fd, std::chrono::seconds(5));
  close(fd);
  EXPECT_NE(r.find("200 OK"), std::string::npos) << r;
}

TEST(HttpServerFlood, SlowBodiesPastTheCapAreEvictedSoRealClientsGetIn) {
  ServerOptions opt;
  opt.threads = 2;
  opt.max_connections = 4;
  opt.request_timeout = std::chrono::seconds(30);
  TestServer s(opt);
  std::vector<int> slow;
  for (int i = 0; i < 4; ++i) {
    int fd = Connect(s.port());
    // Headers complete, body trickling: waiting on the client, so evictable. Such bodies on
    // every connection once held the table for request_timeout, and newcomers got 503.
    SendAll(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n1");
    slow.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Latencies lat;
  for (int i = 0; i < 6; ++i) {
    for (int fd : slow) SendAll(fd, "2");
    lat.Add(Health(s.port()));
  }
  auto c = s.http().Connections();
  EXPECT_EQ(lat.failed, 0) << "newcomers answered while slow bodies fill the table";
  EXPECT_GE(c.evicted, 1u);
  EXPECT_EQ(c.refused, 0u);
  bool closed = false;
  ReadUntilClose(slow.front(), std::chrono::milliseconds(500), &closed);
  EXPECT_TRUE(closed) << "the slow body waiting longest was closed";
  for (int fd : slow) close(fd);
}

TEST(HttpServer, ExpectContinueGets100BeforeTheBody) {
  ServerOptions opt;
  opt.threads = 1;
  TestServer s(opt);
  int fd = Connect(s.port());
  SendAll(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  std::string interim = ReadUntilClose(fd, std::chrono::milliseconds(500));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n") << "no 100 made the client wait";
  SendAll(fd, "abc");
  std::string r = ReadUntilClose(fd, std::chrono::milliseconds(500));
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK", 0), 0u) << r;
  EXPECT_NE(r.find("\r\n\r\n3"), std::string::npos) << r;
  // Past the body limit, the final answer comes at once, with no 100.
  SendAll(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 99999999\r\n\r\n");
  r = ReadUntilClose(fd, std::chrono::milliseconds(500));
  EXPECT_EQ(r.rfind("HTTP/1.1 413", 0), 0u) << r;
  close(fd);
}

TEST(HttpServer, HeaderFieldsCannotSplitTheResponse) {
  // A handler's header name or value holding CR, LF (or a name holding ':') is written without
  // them, so no value can end the head early or add a field of its own.
  ServerOptions opt;
  opt.threads = 1;
  TestServer s(opt, [](Router& r) {
    r.Add("GET", "/hdr", [](const Request&) {
      Response res(200, "text/plain", "ok");
      res.headers.emplace_back("X-Plain", "as it is");
      res.headers.emplace_back("X-Evil\r\nSet-Cookie", "a\r\nSet-Cookie: s=1\r\n\r\nbody");
      res.headers.emplace_back("X:Colon", "v\nw");
      // A NUL before the CR LF (a C-string scan would stop at it).
      res.headers.emplace_back("X-Nul", std::string("a\0\r\nX-Injected: 1", 17));
      return res;
    });
  });
  int fd = Connect(s.port());
  SendAll(fd, "GET /hdr HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string r = ReadUntilClose(fd, std::chrono::milliseconds(2000));
  close(fd);
  std::string head = r.substr(0, r.find("\r\n\r\n"));
  EXPECT_NE(head.find("\r\nX-Plain: as it is"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nX-EvilSet-Cookie: aSet-Cookie: s=1body"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nXColon: vw"), std::string::npos) << head;
  EXPECT_EQ(head.find("\r\nSet-Cookie"), std::string::npos) << head;
  EXPECT_EQ(head.find("\r\nX-Injected"), std::string::npos) << head;
  EXPECT_NE(head.find(std::string("\r\nX-Nul: a\0X-Injected: 1", 24)), std::string::npos);
  EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4), "ok");
}

TEST(HttpServerFlood, WhenEveryConnectionIsBusyANewcomerGets503WithRetryAfter) {
  ServerOptions opt;
  opt.threads = 2;
  opt.workers = 4;
  opt.max_connections = 4;
  opt.request_timeout = std::chrono::seconds(5);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  TestServer s(opt, [released](Router& r) {
    r.Add("GET", "/block", [released](const Request&) {
      released.wait_for(std::chrono::seconds(10));
      return Response(200, "text/plain", "done");
    });
  });
  std::vector<int> busy;
  for (int i = 0; i < 4; ++i) {
    int fd = Connect(s.port());
    // Handled by the server: busy, not idle, so not evictable.
    SendAll(fd, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
    busy.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int fd = Connect(s.port());
  std::string r = ReadUntilClose(fd, std::chrono::seconds(3));
  close(fd);
  EXPECT_EQ(r.rfind("HTTP/1.1 503", 0), 0u) << r;
  EXPECT_NE(r.find("Retry-After: 1"), std::string::npos);
  EXPECT_NE(r.find("too_many_connections"), std::string::npos);
  EXPECT_GE(s.http().Connections().refused, 1u);
  // Finishing the busy requests frees their slots (each connection then waits idle).
  release.set_value();
  std::string ok = ReadUntilClose(busy[0], std::chrono::milliseconds(500));
  EXPECT_NE(ok.find("200 OK"), std::string::npos);
  for (int b : busy) close(b);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Health(s.port()).first, 200);
}

// Reads one response with a Content-Length (or until close or `timeout`).
std::string ReadResponse(int fd, std::chrono::milliseconds timeout) {
  std::string out;
  auto end = Clock::now() + timeout;
  for (;;) {
    auto head = out.find("\r\n\r\n");
    if (head != std::string::npos) {
      auto cl = out.find("Content-Length: ");
      if (cl != std::string::npos && cl < head &&
          out.size() >= head + 4 + std::stoul(out.substr(cl + 16)))
        return out;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
    if (left <= 0) return out;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// Data waiting on `fd` now (no wait).
bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) > 0;
}

TEST(HttpServerTarpit, HeldAnswersWaitOnATimerWithinTheirBoundsWhileOthersAnswer) {
  ServerOptions opt;
  opt.threads = 1;  // one I/O thread: held answers must not block it
  opt.workers = 1;
  opt.tarpit_per_address = 2;
  const auto hold = std::chrono::milliseconds(1500);
  TestServer s(opt, [&](Router& r) {
    r.Add("POST", "/refuse", [&](const Request&) {
      Response res = ErrorResponse(429, "too_many_requests", "later");
      res.headers.emplace_back("Retry-After", "7");
      res.hold = hold;
      return res;
    });
  });
  const std::string req = "POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
  auto t0 = Clock::now();
  std::vector<int> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(Connect(s.port()));
    SendAll(held.back(), req);
  }
  for (int i = 0; i < 100 && s.http().Connections().held < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(s.http().Connections().held, 2u);
  // Past the address's bound: answered at once, and the connection closes.
  int over = Connect(s.port());
  SendAll(over, req);
  bool closed = false;
  std::string r = ReadUntilClose(over, std::chrono::milliseconds(1000), &closed);
  close(over);
  EXPECT_EQ(r.rfind("HTTP/1.1 429", 0), 0u) << r;
  EXPECT_NE(r.find("Connection: close"), std::string::npos) << r;
  EXPECT_TRUE(closed);
  EXPECT_EQ(s.http().Connections().hold_overflowed, 1u);
  // Other requests are answered meanwhile, on the same I/O thread and worker.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Health(s.port()).first, 200);
  for (int fd : held) EXPECT_FALSE(Readable(fd)) << "a held answer came before its delay";
  for (int fd : held) {
    std::string a = ReadResponse(fd, std::chrono::milliseconds(3000));
    auto waited = Clock::now() - t0;
    EXPECT_EQ(a.rfind("HTTP/1.1 429", 0), 0u) << a;
    EXPECT_NE(a.find("Retry-After: 7"), std::string::npos) << a;
    EXPECT_EQ(a.find("Connection: close"), std::string::npos) << a;  // kept alive
    EXPECT_GE(waited, hold);
  }
  EXPECT_EQ(s.http().Connections().held, 0u);
  // The kept-alive connection serves its next request.
  SendAll(held[0], "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(ReadUntilClose(held[0], std::chrono::seconds(3)).find("200 OK"), std::string::npos);
  for (int fd : held) close(fd);
}

// A live body fed by the test: Push() queues text and wakes the writer.
class QueueBody : public LiveBody {
 public:
  void OnReady(std::function<void()> wake) override {
    std::lock_guard l(mu_);
    wake_ = std::move(wake);
  }
  bool Take(std::string& out) override {
    std::lock_guard l(mu_);
    out += pending_;
    pending_.clear();
    return true;
  }
  std::chrono::milliseconds HeartbeatInterval() const override {
    return std::chrono::milliseconds(300);
  }
  std::string Heartbeat() const override { return ":hb\n\n"; }
  void Push(const std::string& s) {
    std::function<void()> wake;
    {
      std::lock_guard l(mu_);
      pending_ += s;
      wake = wake_;
    }
    if (wake) wake();
  }

 private:
  std::mutex mu_;
  std::string pending_ = "ready\n\n";
  std::function<void()> wake_;
};

// The live bodies the /live route handed out, for the test to feed and watch.
struct LiveRoute {
  std::mutex mu;
  std::vector<std::shared_ptr<QueueBody>> bodies;
  void Add(Router& r) {
    r.Add("GET", "/live", [this](const Request&) {
      auto b = std::make_shared<QueueBody>();
      std::lock_guard l(mu);
      bodies.push_back(b);
      Response res(200, "text/event-stream", "");
      res.live = b;
      return res;
    });
  }
  std::vector<std::shared_ptr<QueueBody>> All() {
    std::lock_guard l(mu);
    return bodies;
  }
};

int OpenLive(int port) {
  int fd = Connect(port);
  SendAll(fd, "GET /live HTTP/1.1\r\nHost: x\r\n\r\n");
  return fd;
}

TEST(HttpServerLive, StreamsOutliveTimeoutsHoldNoWorkerAndEndCleanlyOnStop) {
  ServerOptions opt;
  opt.threads = 2;
  opt.workers = 1;  // three open streams would starve /health if each held a worker
  opt.header_timeout = std::chrono::seconds(1);
  opt.request_timeout = std::chrono::seconds(1);
  LiveRoute live;
  auto s = std::make_unique<TestServer>(opt, [&](Router& r) { live.Add(r); });
  std::vector<int> fds;
  std::vector<std::string> got(3);
  for (int i = 0; i < 3; ++i) fds.push_back(OpenLive(s->port()));
  for (int i = 0; i < 3; ++i) {
    got[i] = ReadUntilClose(fds[i], std::chrono::milliseconds(500));
    EXPECT_NE(got[i].find("Transfer-Encoding: chunked"), std::string::npos) << got[i];
    EXPECT_NE(got[i].find("ready"), std::string::npos) << got[i];
  }
  ASSERT_EQ(live.All().size(), 3u);
  EXPECT_EQ(Health(s->port()).first, 200);
  for (auto& b : live.All()) b->Push("data: one\n\n");
  for (int i = 0; i < 3; ++i) {
    std::string more = ReadUntilClose(fds[i], std::chrono::milliseconds(300));
    EXPECT_NE(more.find("data: one"), std::string::npos) << more;
  }
  // Past both timeouts, the streams are still open and have had heartbeats.
  for (int i = 0; i < 3; ++i) {
    bool closed = false;
    auto wait = std::chrono::milliseconds(i == 0 ? 1500 : 400);  // all of them past 1 s
    std::string later = ReadUntilClose(fds[i], wait, &closed);
    EXPECT_FALSE(closed);
    EXPECT_NE(later.find(":hb"), std::string::npos) << later;
  }
  s->http().Stop();
  for (int i = 0; i < 3; ++i) {
    bool closed = false;
    std::string tail = ReadUntilClose(fds[i], std::chrono::seconds(5), &closed);
    EXPECT_TRUE(closed);
    EXPECT_NE(tail.find("0\r\n\r\n"), std::string::npos) << "no last chunk: " << tail;
    close(fds[i]);
  }
  s.reset();
  // Held by live.bodies and the copy All() returns only.
  for (auto& b : live.All()) EXPECT_EQ(b.use_count(), 2) << "the server still holds a body";
}

TEST(HttpServerLive, AClientThatLeftIsDroppedOnTheNextWrite) {
  ServerOptions opt;
  opt.threads = 1;
  LiveRoute live;
  TestServer s(opt, [&](Router& r) { live.Add(r); });
  int fd = OpenLive(s.port());
  ReadUntilClose(fd, std::chrono::milliseconds(300));
  ASSERT_EQ(live.All().size(), 1u);
  auto body = live.All()[0];
  close(fd);
  bool dropped = false;
  for (int i = 0; i < 50 && !dropped; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    dropped = body.use_count() == 2;  // the test's two copies only
  }
  EXPECT_TRUE(dropped) << "the server still holds the body of a closed connection";
}

// A response another request computes (request coalescing), made ready from the test's thread.
// Take() with nothing ready: the timeout's 503, or with `fallback` nullopt (run on a worker).
class TestPending : public PendingResponse {
 public:
  TestPending(std::chrono::milliseconds timeout, bool fallback)
      : timeout_(timeout), fallback_(fallback) {}
  void OnReady(std::function<void()> wake) override {
    std::lock_guard l(mu_);
    wake_ = std::move(wake);
    if (ready_) wake_();
  }
  void Ready() {
    std::lock_guard l(mu_);
    ready_ = true;
    if (wake_) wake_();
  }
  std::optional<Response> Take(Request&) override {
    std::lock_guard l(mu_);
    if (ready_) return Response(200, "text/plain", "shared");
    if (fallback_) return std::nullopt;
    return Response(503, "text/plain", "timed out");
  }
  std::chrono::milliseconds Timeout() const override { return timeout_; }

 private:
  std::mutex mu_;
  std::function<void()> wake_;
  bool ready_ = false;
  std::chrono::milliseconds timeout_;
  bool fallback_;
};

TEST(HttpServerPending, AwaitedOnTheStrandWithoutAWorkerThenTakenTimedOutOrRunOnAWorker) {
  ServerOptions opt;
  opt.threads = 1;
  opt.workers = 1;
  auto woken = std::make_shared<TestPending>(std::chrono::seconds(10), false);
  auto never = std::make_shared<TestPending>(std::chrono::milliseconds(300), false);
  auto orphan = std::make_shared<TestPending>(std::chrono::milliseconds(300), true);
  ServerHooks hooks;
  hooks.fast = [&](Request& r) -> std::optional<Response> {
    Response res;
    if (r.path == "/woken")
      res.pending = woken;
    else if (r.path == "/never")
      res.pending = never;
    else if (r.path == "/orphan")
      res.pending = orphan;
    else
      return std::nullopt;
    return res;
  };
  TestServer s(
      opt,
      [](Router& r) {
        r.Add("GET", "/orphan",
              [](const Request&) { return Response(200, "text/plain", "computed"); });
      },
      hooks);
  auto ask = [&](const char* path) {
    int fd = Connect(s.port());
    SendAll(fd, std::string("GET ") + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
    return fd;
  };
  int a = ask("/woken"), b = ask("/never"), c = ask("/orphan");
  // Waiting, they hold neither the one I/O thread nor the one worker.
  EXPECT_EQ(Health(s.port()).first, 200);
  std::string never_got = ReadResponse(b, std::chrono::seconds(5));
  EXPECT_NE(never_got.find("HTTP/1.1 503"), std::string::npos) << never_got;
  std::string orphan_got = ReadResponse(c, std::chrono::seconds(5));
  EXPECT_NE(orphan_got.find("computed"), std::string::npos) << orphan_got;
  EXPECT_FALSE(Readable(a)) << "answered before its response was ready";
  woken->Ready();
  std::string woken_got = ReadResponse(a, std::chrono::seconds(5));
  EXPECT_NE(woken_got.find("HTTP/1.1 200"), std::string::npos) << woken_got;
  EXPECT_NE(woken_got.find("shared"), std::string::npos) << woken_got;
  for (int fd : {a, b, c}) close(fd);
}

TEST(ConnectionTable, EvictsOldestIdleAndCountsStayExact) {
  ConnectionTable t(2);
  int evicted_a = 0, evicted_b = 0;
  auto a = t.Open([&] { ++evicted_a; });
  auto b = t.Open([&] { ++evicted_b; });
  ASSERT_TRUE(a && b);
  EXPECT_EQ(t.Open([] {}), nullptr) << "full and none idle: refused";
  EXPECT_EQ(t.refused(), 1u);
  EXPECT_TRUE(t.SetIdle(b, true));
  EXPECT_TRUE(t.SetIdle(a, true));
  auto c = t.Open([] {});
  ASSERT_TRUE(c);
  EXPECT_EQ(evicted_b, 1) << "b went idle first";
  EXPECT_EQ(evicted_a, 0);
  EXPECT_FALSE(t.SetIdle(b, false)) << "an evicted connection learns it must close";
  t.Close(b);  // no-op: already out of the table
  EXPECT_EQ(t.open(), 2u);
  t.Close(a);
  t.Close(a);
  EXPECT_EQ(t.open(), 1u);
  EXPECT_EQ(t.idle(), 0u);
  EXPECT_EQ(t.evicted(), 1u);
  EXPECT_EQ(DefaultMaxConnections(1024), 896u);
  EXPECT_EQ(DefaultMaxConnections(1u << 20), 10000u);
  EXPECT_EQ(DefaultMaxConnections(100), 50u);
}

}  // namespace
}  // namespace corrente::server
