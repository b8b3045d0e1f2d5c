#include "server/http_server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <thread>

#include "server/encoding.h"

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
  const ServerHooks* hooks = nullptr;
};

Request ToRequest(const http::request<http::string_body>& r, const std::string& remote) {
  Request q;
  q.method = std::string(r.method_string());
  q.remote_address = remote;
  q.body = r.body();
  for (const auto& f : r) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    q.headers[name] = std::string(f.value());
  }
  auto target = boost::urls::parse_origin_form(r.target());
  if (target) {
    q.path = std::string(target->encoded_path().decode());
    for (auto p : target->params())
      q.query[std::string(p.key)] = p.has_value ? std::string(p.value) : "";
  } else {
    q.path = "\x01";  // never matches a route: answered 400 below
  }
  return q;
}

template <class Body>
void SetHeaders(http::response<Body>& out, const Response& res, bool keep_alive) {
  out.set(http::field::server, "corrente");
  if (!res.content_type.empty()) out.set(http::field::content_type, res.content_type);
  for (const auto& [k, v] : res.headers) out.insert(k, v);
  out.set("X-Content-Type-Options", "nosniff");
  out.keep_alive(keep_alive);
}

// The body is borrowed from `res` (or the buffer it shares with a cache), not copied.
http::response<http::span_body<const char>> ToBeast(const Response& res, unsigned version,
                                                    bool keep_alive, bool head) {
  http::response<http::span_body<const char>> out{static_cast<http::status>(res.status), version};
  SetHeaders(out, res, keep_alive);
  const std::string& body = res.Body();
  out.body() = {body.data(), body.size()};
  out.prepare_payload();
  if (head) out.body() = {};
  if (head && res.stream) out.erase(http::field::content_length);  // length unknown
  return out;
}

// Writes a streamed response with chunked transfer: each piece is produced on the worker pool
// and written before the next is asked for, so memory stays at one piece. Returns false when
// the connection cannot be reused (write error, or the producer failed mid-way: the missing
// last chunk tells the client the body is incomplete).
net::awaitable<bool> WriteStream(beast::tcp_stream& stream, Response& res, unsigned version,
                                 bool keep_alive, const ServerOptions& opt, State& state) {
  http::response<http::buffer_body> out{static_cast<http::status>(res.status), version};
  SetHeaders(out, res, keep_alive);
  out.chunked(true);
  out.body().data = nullptr;
  out.body().more = true;
  http::response_serializer<http::buffer_body> sr{out};
  beast::error_code ec;
  stream.expires_after(opt.request_timeout);
  co_await http::async_write_header(stream, sr, net::redirect_error(net::use_awaitable, ec));
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
    out.body().data = piece.data();
    out.body().size = piece.size();
    out.body().more = true;
    stream.expires_after(opt.request_timeout);
    co_await http::async_write(stream, sr, net::redirect_error(net::use_awaitable, ec));
    if (ec == http::error::need_buffer) ec = {};
  }
  if (ec) co_return false;
  out.body().data = nullptr;
  out.body().size = 0;
  out.body().more = false;
  co_await http::async_write(stream, sr, net::redirect_error(net::use_awaitable, ec));
  co_return !ec;
}

net::awaitable<void> Session(tcp::socket socket, const Router& router, const ServerOptions& opt,
                             State& state) {
  beast::tcp_stream stream(std::move(socket));
  beast::error_code ec;
  std::string remote = stream.socket().remote_endpoint(ec).address().to_string();
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(opt.body_limit);
    parser.header_limit(static_cast<uint32_t>(opt.header_limit));
    stream.expires_after(opt.request_timeout);
    co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout)
      break;
    Response res;
    bool keep_alive = false;
    unsigned version = 11;
    bool head = false;
    bool counted = false;  // in flight until its response is written, so a drain waits for it
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
    } else {
      state.in_flight++;
      counted = true;
      auto& req = parser.get();
      version = req.version();
      keep_alive = req.keep_alive() && !state.draining;
      head = req.method() == http::verb::head;
      auto started = std::chrono::steady_clock::now();
      Request q = ToRequest(req, remote);
      try {
        std::optional<Response> fast;
        if (q.path == "\x01")
          fast = ErrorResponse(400, "bad_request", "malformed request target");
        else if (state.hooks->fast)
          fast = state.hooks->fast(q);
        if (fast) {
          res = std::move(*fast);
          Negotiate(q, res, false);  // no compressing on the I/O thread
        } else {
          // Run the handler on the worker pool and resume here when it is done.
          res = co_await net::co_spawn(
              state.workers->get_executor(),
              [&router, &q]() -> net::awaitable<Response> {
                Response r = router.Dispatch(q);
                Negotiate(q, r, true);
                co_return r;
              },
              net::use_awaitable);
        }
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
    }
    bool reusable = true;
    if (res.stream && !head) {
      reusable = co_await WriteStream(stream, res, version, keep_alive, opt, state);
    } else {
      auto out = ToBeast(res, version, keep_alive, head);
      stream.expires_after(opt.request_timeout);
      co_await http::async_write(stream, out, net::redirect_error(net::use_awaitable, ec));
      reusable = !ec;
    }
    res = Response{};  // a stream's resources (its database connection) go back now
    if (counted) state.in_flight--;
    if (!reusable || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

net::awaitable<void> Listen(tcp::acceptor& acceptor, const Router& router, const ServerOptions& opt,
                            State& state) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::operation_aborted) co_return;
    if (ec) continue;  // e.g. EMFILE: keep serving the connections we have
    // Responses go out in one write; Nagle would only hold back the tail of a streamed one.
    socket.set_option(tcp::no_delay(true), ec);
    net::co_spawn(socket.get_executor(), Session(std::move(socket), router, opt, state),
                  net::detached);
  }
}

}  // namespace

HttpServer::HttpServer(ServerOptions options, const Router& router, ServerHooks hooks)
    : options_(std::move(options)), router_(router), hooks_(std::move(hooks)) {}

void HttpServer::Run(const std::function<void(int port)>& on_listening) {
  int threads =
      options_.threads > 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  net::io_context ctx(threads);
  tcp::acceptor acceptor(ctx);
  beast::error_code ec;
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
  if (on_listening) on_listening(port);

  net::thread_pool workers(static_cast<size_t>(std::max(1, options_.workers)));
  State state;
  state.workers = &workers;
  state.hooks = &hooks_;
  net::co_spawn(ctx, Listen(acceptor, router_, options_, state), net::detached);

  net::signal_set signals(ctx, SIGINT, SIGTERM);
  net::steady_timer drain_timer(ctx);
  auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void(beast::error_code)> poll = [&](beast::error_code) {
    if (state.in_flight == 0 || std::chrono::steady_clock::now() > *deadline) {
      ctx.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait(poll);
  };
  signals.async_wait([&](beast::error_code, int sig) {
    spdlog::info("received signal {}; draining {} in-flight request(s)", sig,
                 state.in_flight.load());
    state.draining = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    *deadline = std::chrono::steady_clock::now() + options_.drain_timeout;
    poll({});
  });

  std::vector<std::jthread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ctx.run(); });
  ctx.run();
  for (auto& t : pool) t.join();
  workers.stop();
  workers.join();
  spdlog::info("server stopped");
}

}  // namespace corrente::server
