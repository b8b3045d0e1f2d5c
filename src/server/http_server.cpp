#include "server/http_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <list>
#include <optional>
#include <thread>

#include "server/client_address.h"
#include "server/connections.h"
#include "server/encoding.h"
#include "server/request_target.h"
#include "server/response_head.h"
#include "server/tarpit.h"
#include "server/tls.h"

namespace corrente::server {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

struct State {
  std::atomic<int> in_flight{0};
  std::atomic<bool> draining{false};
  net::thread_pool* workers = nullptr;
  net::io_context* io = nullptr;
  const ServerHooks* hooks = nullptr;
  ConnectionTable* connections = nullptr;
  Tarpit* tarpit = nullptr;
  net::ssl::context* tls = nullptr;  // set: every connection speaks TLS (--tls-cert)
  // The live bodies being written, each by its wake-up: a drain wakes them all to end.
  std::mutex live_mu;
  std::list<std::function<void()>> live;
};

Request ToRequest(const http::request<http::string_body>& r, const std::string& remote) {
  Request q;
  q.method = std::string(r.method_string());
  q.remote_address = remote;
  q.body = r.body();
  for (const auto& f : r) {
    std::string name(f.name_string());
    for (auto& c : name)  // a token: ASCII, lowered as the C locale's tolower does, inline
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    q.headers[name] = std::string(f.value());
  }
  if (auto target = ParseTarget(r.target())) {
    q.path = std::move(target->path);
    q.query = std::move(target->query);
  } else {
    q.path = "\x01";  // never matches a route: answered 400 below
  }
  return q;
}

// Every X-Forwarded-For header of the request, joined by ',' (RFC 9110 5.3).
std::string ForwardedFor(const http::request<http::string_body>& r) {
  std::string out;
  auto [first, last] = r.equal_range("X-Forwarded-For");
  for (auto f = first; f != last; ++f) {
    if (!out.empty()) out += ',';
    out += f->value();
  }
  return out;
}

// Reads a request's header as http::async_read_header does, and sets `folded` when it holds
// obsolete line folding (RFC 9112 5.2: a field line continued on a line that starts with SP or
// HTAB). Beast joins such a line to the field before it; a proxy in front may not, so a folded
// Transfer-Encoding or Content-Length would frame the body differently for the two
// (smuggling). The caller refuses it with 400, as 5.2 allows.
template <class Stream>
net::awaitable<void> ReadHeader(Stream& stream, beast::flat_buffer& buffer,
                                http::request_parser<http::string_body>& parser, bool& folded,
                                beast::error_code& ec) {
  folded = false;
  for (;;) {
    if (buffer.size() > 0) {
      auto data = buffer.data();
      size_t used = parser.put(data, ec);
      // The whole header is parsed from one buffer, so `used` bytes are its header section.
      std::string_view head(static_cast<const char*>(data.data()), used);
      if (parser.is_header_done() &&
          (head.find("\n ") != std::string_view::npos || head.find("\n\t") != std::string_view::npos))
        folded = true;
      buffer.consume(used);
      if (ec == http::error::need_more)
        ec = {};
      else if (ec || parser.is_header_done())
        co_return;
    }
    // As Beast's own reads size them: 512 bytes to start, growing with what arrives (up to
    // 64 KiB). A fixed 64 KiB gave every open connection, idle ones too, a 64 KiB buffer: 3,000
    // idle connections then 3,000 slowloris ones raised RSS by 40 + 24 MiB, now 29 + 2.
    size_t n = co_await stream.async_read_some(buffer.prepare(beast::read_size(buffer, 64 << 10)),
                                               net::redirect_error(net::use_awaitable, ec));
    buffer.commit(n);
    if (ec == net::error::eof) {
      ec = buffer.size() == 0 && !parser.got_some() ? http::error::end_of_stream
                                                     : http::error::partial_message;
      co_return;
    }
    if (ec) co_return;
  }
}

// Framing and fields two readers could take differently, answered 400 (or 501) and closed.
// Beast frames a request whose Transfer-Encoding does not end in chunked by Content-Length or
// as bodiless, and takes chunked from HTTP/1.0: its body would then be read as the next request
// (smuggling). RFC 9112 6.1, 6.3: 400 unless chunked is the last coding; 501 for any other
// coding (none is decoded). The connection closes after either.
// Also 400 for what two readers could take differently: an HTTP/1.1 request without a Host or
// with more than one (RFC 9112 3.2), and more than one Authorization (a proxy may check the first
// while we would read the last).
std::optional<Response> BadFields(const http::request_parser<http::string_body>& p) {
  const auto& r = p.get();
  // One pass over the fields by their known names (three lookups in Beast's tree, each
  // comparing names without case, were 4 % of a cache hit).
  size_t hosts = 0, authorizations = 0, codings = 0;
  for (const auto& f : r) {
    hosts += f.name() == http::field::host;
    authorizations += f.name() == http::field::authorization;
    codings += f.name() == http::field::transfer_encoding;
  }
  if (hosts > 1 || (hosts == 0 && r.version() == 11))
    return ErrorResponse(400, "bad_request", "an HTTP/1.1 request has exactly one Host");
  if (authorizations > 1) return ErrorResponse(400, "bad_request", "more than one Authorization");
  if (codings == 0) return std::nullopt;
  if (r.version() != 11 || !p.chunked())
    return ErrorResponse(400, "bad_request", "Transfer-Encoding must end in chunked (HTTP/1.1)");
  auto [first, last] = r.equal_range(http::field::transfer_encoding);
  for (auto f = first; f != last; ++f)
    if (!beast::iequals(f->value(), "chunked"))
      return ErrorResponse(501, "not_implemented", "only the chunked transfer coding is supported");
  return std::nullopt;
}

// Writes all of `bufs`, or fails with beast::error::timeout (the socket then closes) when the
// client accepts no byte for opt.send_stall, or the whole takes longer than opt.send_stall plus
// its size at opt.min_send_rate. One deadline per write_some, so a client that stops reading
// is cut within send_stall, and one that trickles is cut by the rate.
template <class Stream, class Buffers>
net::awaitable<void> WriteAll(Stream& stream, const Buffers& bufs, const ServerOptions& opt,
                              beast::error_code& ec) {
  using clock = std::chrono::steady_clock;
  beast::buffers_suffix<Buffers> rest(bufs);
  size_t left = beast::buffer_bytes(rest);
  auto budget = std::chrono::duration_cast<clock::duration>(
      opt.send_stall + std::chrono::duration<double>(
                           static_cast<double>(left) / static_cast<double>(std::max<size_t>(1, opt.min_send_rate))));
  const auto deadline = clock::now() + budget;
  auto& lowest = beast::get_lowest_layer(stream);
  while (left > 0) {
    lowest.expires_at(std::min(deadline, clock::now() + opt.send_stall));
    size_t n = co_await stream.async_write_some(rest, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return;
    rest.consume(n);
    left -= n;
  }
}

// One response with a known length: head and body in one gather write, the body borrowed from
// `res` (or the buffer it shares with a cache), not copied.
template <class Stream>
net::awaitable<bool> WriteWhole(Stream& stream, const Response& res, unsigned version,
                                bool keep_alive, bool head, const ServerOptions& opt) {
  const std::string& body = res.Body();
  bool bodiless = res.status < 200 || res.status == 204 || res.status == 304;
  std::string framing;
  if (head && (res.stream || res.live))
    framing = "";  // the length of a streamed body is not known
  else if (!bodiless)
    framing = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  std::string h = ResponseHead(res, version, keep_alive, framing.c_str());
  std::array<net::const_buffer, 2> bufs{net::buffer(h), net::const_buffer()};
  if (!head && !bodiless) bufs[1] = net::buffer(body);
  beast::error_code ec;
  co_await WriteAll(stream, bufs, opt, ec);
  co_return !ec;
}

// Writes a streamed response with chunked transfer: each piece is produced on the worker pool
// and written before the next is asked for, so memory stays at one piece. Returns false when
// the connection cannot be reused (write error, or the producer failed mid-way: the missing
// last chunk tells the client the body is incomplete).
template <class Stream>
net::awaitable<bool> WriteStream(Stream& stream, Response& res, unsigned version, bool keep_alive,
                                 const ServerOptions& opt, State& state) {
  // HTTP/1.0 has no chunked coding: the body then ends when the connection closes.
  bool chunked = version != 10;
  std::string h = ResponseHead(res, version, keep_alive && chunked,
                               chunked ? "Transfer-Encoding: chunked\r\n" : "");
  beast::error_code ec;
  co_await WriteAll(stream, net::buffer(h), opt, ec);
  std::string piece;
  bool more = true;
  while (!ec && more) {
    piece.clear();
    try {
      more = co_await net::co_spawn(
          state.workers->get_executor(),
          [&]() -> net::awaitable<bool> { co_return res.stream(piece); }, net::use_awaitable);
    } catch (const std::exception& e) {
      spdlog::error("streamed response failed mid-way: {}", e.what());
      co_return false;
    }
    if (piece.empty()) continue;
    char size[24];
    int n = std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    std::array<net::const_buffer, 3> bufs{net::buffer(size, static_cast<size_t>(n)),
                                          net::buffer(piece), net::buffer("\r\n", 2)};
    if (!chunked) bufs[0] = bufs[2] = net::const_buffer();
    co_await WriteAll(stream, bufs, opt, ec);
  }
  if (ec || !chunked) co_return false;
  co_await WriteAll(stream, net::buffer("0\r\n\r\n", 5), opt, ec);
  co_return !ec;
}

// Wake-ups of a coroutine waiting on a timer of its strand (a live body, a pending response).
// They may come from any thread, also after the coroutine is gone (the body may outlive the
// server): they set `pending` and cancel the wait on the strand, where the timer lives, while
// the strand is still known. Forget, when the coroutine ends however it ends, makes sure no
// wake-up touches an executor past its io_context.
struct Waker {
  std::atomic<bool> pending{true};
  net::steady_timer* timer = nullptr;  // on the strand only
  std::mutex mu;
  std::optional<net::any_io_executor> exec;
  struct Forget {
    Waker& w;
    ~Forget() {
      std::lock_guard l(w.mu);
      w.exec.reset();
    }
  };
};

std::function<void()> Wake(const std::shared_ptr<Waker>& waker) {
  return [waker] {
    waker->pending = true;
    std::lock_guard l(waker->mu);
    if (waker->exec)
      net::post(*waker->exec, [waker] {
        if (waker->timer) waker->timer->cancel();
      });
  };
}

// Waits on this strand, holding no worker thread, for a response another request computes
// (request coalescing), at most its Timeout(); then takes it.
net::awaitable<std::optional<Response>> AwaitPending(PendingResponse& pending, Request& q) {
  auto waker = std::make_shared<Waker>();
  waker->pending = false;
  net::steady_timer timer(co_await net::this_coro::executor);
  waker->exec = timer.get_executor();
  Waker::Forget forget{*waker};
  pending.OnReady(Wake(waker));
  if (!waker->pending) {
    timer.expires_after(pending.Timeout());
    waker->timer = &timer;
    beast::error_code wait_ec;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, wait_ec));
    waker->timer = nullptr;
  }
  co_return pending.Take(q);
}

// Writes a live body (Server-Sent Events) from the connection's strand: what Take() has, then a
// wait on a timer until the body wakes it or a heartbeat is due. No worker thread is held
// while waiting. Ends when the body does, on a write error or timeout (a dead client) and on a
// drain; the connection then closes.
template <class Stream>
net::awaitable<bool> WriteLive(Stream& stream, Response& res, unsigned version,
                               const ServerOptions& opt, State& state) {
  LiveBody& body = *res.live;
  bool chunked = version != 10;
  std::string h = ResponseHead(res, version, /*keep_alive=*/false,
                               chunked ? "Transfer-Encoding: chunked\r\n" : "");
  beast::error_code ec;
  auto& lowest = beast::get_lowest_layer(stream);
  co_await WriteAll(stream, net::buffer(h), opt, ec);
  auto waker = std::make_shared<Waker>();
  net::steady_timer timer(co_await net::this_coro::executor);
  waker->exec = timer.get_executor();
  Waker::Forget forget{*waker};
  auto wake = Wake(waker);
  body.OnReady(wake);
  std::list<std::function<void()>>::iterator registered;
  {
    std::lock_guard l(state.live_mu);
    registered = state.live.insert(state.live.end(), wake);
  }
  auto last_write = std::chrono::steady_clock::now();
  std::string out;
  bool more = true;
  while (!ec && more && !state.draining) {
    out.clear();
    auto due = last_write + body.HeartbeatInterval();
    bool heartbeat = std::chrono::steady_clock::now() >= due;
    if (waker->pending.exchange(false) || heartbeat) more = body.Take(out);
    if (out.empty() && more && heartbeat) out = body.Heartbeat();
    if (out.empty()) {
      if (!more) break;
      timer.expires_at(due);
      waker->timer = &timer;
      beast::error_code wait_ec;
      co_await timer.async_wait(net::redirect_error(net::use_awaitable, wait_ec));
      waker->timer = nullptr;
      continue;
    }
    char size[24];
    int n = std::snprintf(size, sizeof size, "%zx\r\n", out.size());
    std::array<net::const_buffer, 3> bufs{net::buffer(size, static_cast<size_t>(n)),
                                          net::buffer(out), net::buffer("\r\n", 2)};
    if (!chunked) bufs[0] = bufs[2] = net::const_buffer();
    co_await WriteAll(stream, bufs, opt, ec);
    lowest.expires_never();  // the wait between events is no timeout
    last_write = std::chrono::steady_clock::now();
  }
  {
    std::lock_guard l(state.live_mu);
    state.live.erase(registered);
  }
  if (!ec && chunked) {
    co_await WriteAll(stream, net::buffer("0\r\n\r\n", 5), opt, ec);
  }
  co_return false;
}

// A connection's reads, writes and timers all run on its own strand: Beast's tcp_stream is not
// thread-safe, and on the shared multi-threaded io_context a timeout handler once closed a
// socket while another thread was destroying it (SIGSEGV under an idle-connection flood).
// The requests of one connection, over plain TCP or TLS (Stream: a tcp_stream, or an Asio
// ssl::stream on it); Connection() opens and closes the connection around it.
template <class Stream>
net::awaitable<void> Session(Stream& stream, const ConnectionTable::Handle& conn,
                             const Router& router, const ServerOptions& opt, State& state) {
  beast::error_code ec;
  std::string remote =
      beast::get_lowest_layer(stream).socket().remote_endpoint(ec).address().to_string();
  beast::flat_buffer buffer;
  std::shared_ptr<const TokenCheck> last_token;  // the last request's
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(opt.body_limit);
    parser.header_limit(static_cast<uint32_t>(opt.header_limit));
    // The whole header must arrive within header_timeout however slowly it trickles in
    // (slowloris), and the body within request_timeout after it. While the connection waits
    // on the client, for a header or a body, it is evictable at the cap: slow bodies on every
    // connection once held the whole table for request_timeout, and newcomers got 503.
    state.connections->SetIdle(conn, true);
    beast::get_lowest_layer(stream).expires_after(opt.header_timeout);
    bool folded = false;
    co_await ReadHeader(stream, buffer, parser, folded, ec);
    if (!ec && !parser.is_done()) {
      beast::get_lowest_layer(stream).expires_after(opt.request_timeout);
      // RFC 9110 10.1.1: a client that expects 100-continue waits for it before its body
      // (curl a second; the body limit was already checked against Content-Length).
      const auto& fields = parser.get();
      if (fields.version() == 11 && beast::iequals(fields[http::field::expect], "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        co_await net::async_write(stream, net::buffer(kContinue.data(), kContinue.size()),
                                  net::redirect_error(net::use_awaitable, ec));
      }
      if (!ec)
        co_await http::async_read(stream, buffer, parser,
                                  net::redirect_error(net::use_awaitable, ec));
    }
    bool still_open = state.connections->SetIdle(conn, false);
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::ssl::error::stream_truncated || !still_open)
      break;
    Response res;
    std::string client = remote;  // the peer, or behind a trusted proxy the address it saw
    bool keep_alive = false;
    unsigned version = 11;
    bool head = false;
    bool counted = false;  // in flight until its response is written, so a drain waits for it
    std::shared_ptr<void> slot;  // a streamed body's slot (Request::in_flight), until written
    if (ec == http::error::body_limit) {
      res = ErrorResponse(413, "payload_too_large",
                          "request body exceeds " + std::to_string(opt.body_limit) + " bytes");
    } else if (ec == http::error::header_limit) {
      res = ErrorResponse(431, "headers_too_large", "request headers are too large");
    } else if (ec) {
      if (ec != net::error::connection_reset && ec != net::error::eof)
        res = ErrorResponse(400, "bad_request", "malformed HTTP request");
      else
        break;
    } else if (folded) {
      res = ErrorResponse(400, "bad_request", "obsolete line folding is not accepted");
    } else if (auto bad = BadFields(parser)) {
      res = std::move(*bad);  // keep_alive stays false
    } else {
      state.in_flight++;
      counted = true;
      auto& req = parser.get();
      version = req.version();
      keep_alive = req.keep_alive() && !state.draining;
      head = req.method() == http::verb::head;
      auto started = std::chrono::steady_clock::now();
      if (!opt.trusted_proxies.empty())
        client = ClientAddress(remote, ForwardedFor(req), opt.trusted_proxies);
      Request q = ToRequest(req, client);
      // The previous request's token check, offered to this one (token_check.h takes it only for
      // the same header, while current).
      q.previous_token = std::move(last_token);
      try {
        std::optional<Response> fast;
        if (q.path == "\x01")
          fast = ErrorResponse(400, "bad_request", "malformed request target");
        else if (state.hooks->fast)
          fast = state.hooks->fast(q);
        if (fast && fast->pending) {
          auto pending = std::move(fast->pending);
          fast = co_await AwaitPending(*pending, q);
        }
        if (fast) {
          res = std::move(*fast);
          // Room for what Negotiate, the finish hook and the security headers add (a cache
          // hit's vector is a copy, exactly full): one allocation instead of three.
          res.headers.reserve(res.headers.size() + 8);
          Negotiate(q, res, false);  // no compressing on the I/O thread
        } else {
          // Run the handler on the worker pool and resume here (on this connection's strand)
          // when it is done.
          res = co_await net::co_spawn(
              state.workers->get_executor(),
              [&router, &q]() -> net::awaitable<Response> {
                Response r = router.Dispatch(q);
                Negotiate(q, r, true);
                co_return r;
              },
              net::use_awaitable);
        }
        // Only a streamed body holds a worker while it is written. A whole response's slot goes
        // with q, before its write: released after it, a client that had read the response and
        // sent its next request at once was refused 429 (attack14). A live stream's, too.
        if (res.stream) slot = std::move(q.in_flight);
      } catch (const std::exception& e) {
        spdlog::error("unhandled error on {} {}: {}", q.method, q.path, e.what());
        res = ErrorResponse(500, "internal_error", "internal error");
      }
      if (state.hooks->finish) {
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        try {
          state.hooks->finish(q, res, secs);
        } catch (const std::exception& e) {
          spdlog::error("finish hook: {}", e.what());
        }
      }
      last_token = q.token;
    }
    if (res.hold.count() > 0) {
      // The tarpit: a timer on this strand, no thread held. Past its bounds, at once and close.
      if (auto hold = state.tarpit->Enter(client)) {
        net::steady_timer timer(co_await net::this_coro::executor);
        timer.expires_after(res.hold);
        beast::error_code wait_ec;
        co_await timer.async_wait(net::redirect_error(net::use_awaitable, wait_ec));
      } else {
        keep_alive = false;
      }
    }
    bool reusable = true;
    if (res.live && !head) {
      reusable = co_await WriteLive(stream, res, version, opt, state);
    } else if (res.stream && !head) {
      reusable = co_await WriteStream(stream, res, version, keep_alive, opt, state);
    } else {
      reusable = co_await WriteWhole(stream, res, version, keep_alive, head, opt);
    }
    res = Response{};  // a stream's resources (its database connection) go back now
    slot.reset();
    if (counted) state.in_flight--;
    if (!reusable || !keep_alive) break;
  }
}

// ---- TLS (--tls-cert): the handshake before the session, close_notify after it ----

// A TLS connection: the handshake within header_timeout (the connection counts as idle, so
// evictable, meanwhile), then the session over TLS. A client that speaks plain HTTP to this
// port gets a plain 400 saying so, and the connection closes.
net::awaitable<void> TlsSession(beast::tcp_stream& stream, const ConnectionTable::Handle& conn,
                                const Router& router, const ServerOptions& opt, State& state) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  state.connections->SetIdle(conn, true);
  stream.expires_after(opt.header_timeout);
  bool tls =
      co_await beast::async_detect_ssl(stream, buffer, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return;
  if (!tls) {
    Response res = ErrorResponse(400, "https_required", "this port speaks HTTPS");
    co_await WriteWhole(stream, res, 11, /*keep_alive=*/false, /*head=*/false, opt);
    co_return;
  }
  // Asio's ssl::stream, not beast::ssl_stream: the latter's flat_stream (Boost 1.81) writes
  // nothing for [empty, > 16 KB] and async_write then stops, so a large body after its head
  // was never sent.
  net::ssl::stream<beast::tcp_stream&> tls_stream(stream, *state.tls);
  size_t used = co_await tls_stream.async_handshake(net::ssl::stream_base::server, buffer.data(),
                                                    net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    spdlog::debug("TLS handshake failed: {}", ec.message());
    co_return;
  }
  buffer.consume(used);
  co_await Session(tls_stream, conn, router, opt, state);
  // close_notify, waiting briefly for the client's.
  stream.expires_after(std::chrono::seconds(1));
  co_await tls_stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
}

// Owns the connection: serves it (over TLS when configured), then closes it.
net::awaitable<void> Connection(std::shared_ptr<beast::tcp_stream> conn_stream,
                                ConnectionTable::Handle conn, const Router& router,
                                const ServerOptions& opt, State& state) {
  beast::tcp_stream& stream = *conn_stream;
  if (state.tls)
    co_await TlsSession(stream, conn, router, opt, state);
  else
    co_await Session(stream, conn, router, opt, state);
  state.connections->Close(conn);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  // Lingering close: drain what the client still sends (64 KiB, 1 s at most). Closing with
  // unread input makes the kernel send a reset, which can destroy the response in flight.
  if (stream.socket().is_open()) {
    stream.expires_after(std::chrono::seconds(1));
    std::array<char, 4096> sink;
    for (size_t drained = 0; drained < (64u << 10);) {
      size_t n = co_await stream.async_read_some(net::buffer(sink),
                                                 net::redirect_error(net::use_awaitable, ec));
      if (ec) break;
      drained += n;
    }
  }
  stream.close();
}

// Past the cap with every connection busy: a 503 written without blocking, then close. No
// coroutine and no timer, so a flood past the cap costs nothing that lasts.
void Refuse(tcp::socket& socket) {
  static const std::string kBody =
      R"({"status":"error","error":"too_many_connections","detail":"the server is at its connection limit; retry shortly"})";
  static const std::string kMsg =
      "HTTP/1.1 503 Service Unavailable\r\nServer: corrente\r\nContent-Type: application/json\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
      std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
  beast::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(net::buffer(kMsg), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

net::awaitable<void> Listen(tcp::acceptor& acceptor, const Router& router, const ServerOptions& opt,
                            State& state) {
  net::steady_timer backoff(co_await net::this_coro::executor);
  for (;;) {
    beast::error_code ec;
    // A strand of the io_context's own executor type (24 bytes) fits in Asio's type-erased
    // executor, so the many copies of it per request allocate nothing; a strand of
    // any_io_executor (72 bytes) cost about 28 allocations per cache hit.
    tcp::socket socket = co_await acceptor.async_accept(
        net::make_strand(state.io->get_executor()), net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::operation_aborted) co_return;
    if (ec) {
      // e.g. EMFILE: keep serving the connections we have, and don't spin while it lasts.
      spdlog::warn("accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(net::redirect_error(net::use_awaitable, ec));
      continue;
    }
    // Responses go out in one write; Nagle would only hold back the tail of a streamed one.
    socket.set_option(tcp::no_delay(true), ec);
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    auto exec = stream->get_executor();
    std::weak_ptr<beast::tcp_stream> weak = stream;
    auto conn = state.connections->Open([weak, exec] {
      net::post(exec, [weak] {
        if (auto s = weak.lock()) s->cancel();
      });
    });
    if (!conn) {
      Refuse(stream->socket());
      continue;
    }
    net::co_spawn(exec, Connection(std::move(stream), std::move(conn), router, opt, state),
                  net::detached);
  }
}

}  // namespace

HttpServer::ConnectionStats HttpServer::Connections() const {
  ConnectionStats c;
  if (const ConnectionTable* t = connections_.load()) {
    c.open = t->open();
    c.idle = t->idle();
    c.evicted = t->evicted();
    c.refused = t->refused();
    c.max_open = t->max_open();
  }
  if (const Tarpit* t = tarpit_.load()) {
    c.held = t->held();
    c.held_total = t->entered();
    c.hold_overflowed = t->overflowed();
  }
  return c;
}

void HttpServer::Stop() {
  std::lock_guard lock(stop_mu_);
  if (stop_)
    stop_();
  else
    stop_requested_ = true;
}

HttpServer::HttpServer(ServerOptions options, const Router& router, ServerHooks hooks)
    : options_(std::move(options)), router_(router), hooks_(std::move(hooks)) {}

void HttpServer::Run(const std::function<void(int port)>& on_listening) {
  int threads =
      options_.threads > 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  // Before the io_context: a held answer's coroutine frame, destroyed with the io_context,
  // releases its place in the tarpit.
  std::optional<Tarpit> tarpit;
  net::io_context ctx(threads);
  tcp::acceptor acceptor(ctx);
  beast::error_code ec;
  // Read before binding, so a bad certificate or key stops the start-up.
  std::unique_ptr<net::ssl::context> tls;
  if (!options_.tls_cert.empty() || !options_.tls_key.empty())
    tls = MakeTlsContext(options_.tls_cert, options_.tls_key);
  auto addr = net::ip::make_address(options_.host, ec);
  if (ec) throw std::runtime_error("invalid --host '" + options_.host + "': " + ec.message());
  int port = options_.port;
  for (int attempt = 0;; ++attempt) {
    tcp::endpoint ep(addr, static_cast<unsigned short>(port));
    acceptor.open(ep.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(ep, ec);
    if (!ec) break;
    acceptor.close();
    if (ec == net::error::address_in_use && options_.port_fallback && attempt < 50) {
      spdlog::warn("port {} is busy; trying {}", port, port + 1);
      ++port;
      continue;
    }
    throw std::runtime_error(
        "cannot listen on " + options_.host + ":" + std::to_string(port) + ": " + ec.message() +
        (ec == net::error::address_in_use ? " (is another server running? use --port)" : ""));
  }
  acceptor.listen(net::socket_base::max_listen_connections);
  port = acceptor.local_endpoint().port();  // the one the kernel chose for port 0
  if (on_listening) on_listening(port);

  net::thread_pool workers(static_cast<size_t>(std::max(1, options_.workers)));
  size_t max_open = options_.max_connections > 0
                        ? static_cast<size_t>(options_.max_connections)
                        : DefaultMaxConnections(RaiseOpenFileLimit());
  if (options_.max_connections > 0) RaiseOpenFileLimit();
  ConnectionTable connections(max_open);
  spdlog::info("connections: at most {} open (idle ones evicted past that); header timeout {} s",
               max_open, options_.header_timeout.count());
  tarpit.emplace(
      options_.tarpit_total > 0 ? options_.tarpit_total : std::max<size_t>(1, max_open / 4),
      options_.tarpit_per_address);
  State state;
  state.tarpit = &*tarpit;
  state.workers = &workers;
  state.io = &ctx;
  state.hooks = &hooks_;
  state.connections = &connections;
  state.tls = tls.get();
  connections_ = &connections;
  tarpit_ = &*tarpit;
  // The acceptor, the drain and its timer share one strand: a signal's handler and a Stop()
  // run on any I/O thread, and must not close the acceptor under a pending accept.
  auto control = net::make_strand(ctx);
  net::co_spawn(control, Listen(acceptor, router_, options_, state), net::detached);

  net::signal_set signals(ctx, SIGINT, SIGTERM);
  net::steady_timer drain_timer(control);
  auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void(beast::error_code)> poll = [&](beast::error_code) {
    if (state.in_flight == 0 || std::chrono::steady_clock::now() > *deadline) {
      ctx.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait(poll);
  };
  std::function<void(const char*)> drain = [&](const char* why) {
    if (state.draining) return;
    spdlog::info("{}; draining {} in-flight request(s)", why, state.in_flight.load());
    state.draining = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    {
      std::lock_guard l(state.live_mu);
      for (auto& wake : state.live) wake();
    }
    *deadline = std::chrono::steady_clock::now() + options_.drain_timeout;
    poll({});
  };
  signals.async_wait([&](beast::error_code ec, int sig) {
    if (ec) return;
    net::post(control, [&, sig] { drain(sig == SIGINT ? "received SIGINT" : "received SIGTERM"); });
  });
  {
    std::lock_guard lock(stop_mu_);
    stop_ = [&] { net::post(control, [&] { drain("stop requested"); }); };
    if (stop_requested_) stop_();
  }
  std::vector<std::jthread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ctx.run(); });
  ctx.run();
  for (auto& t : pool) t.join();
  {
    std::lock_guard lock(stop_mu_);
    stop_ = nullptr;
    stop_requested_ = false;
  }
  workers.stop();
  workers.join();
  connections_ = nullptr;
  tarpit_ = nullptr;
  spdlog::info("server stopped");
}

}  // namespace corrente::server
