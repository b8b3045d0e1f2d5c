#pragma once
// gzip content coding (zlib). Bodies are compressed once: the response cache and the static
// files keep a gzip body next to the plain one (Precompress), and Negotiate() only picks one
// per request. Thread-safe (no shared state).
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "server/router.h"

namespace corrente::server {

// Bodies smaller than this are sent as they are: gzip would save little and cost a syscall's
// worth of CPU.
inline constexpr size_t kMinGzipBytes = 1024;

// RFC 1952 gzip of `data` at zlib's default level.
std::string Gzip(std::string_view data);
// The inverse, for tests; throws std::runtime_error on corrupt input.
std::string Gunzip(std::string_view data);

// True when the comma-separated list `header` (Accept, Accept-Encoding) names one of `names`
// (lower case) first with a non-zero q: "gzip;q=0" and "text/csv;q=0" refuse them.
bool Listed(std::string_view header, std::initializer_list<std::string_view> names);
// True when Accept-Encoding lists gzip (or *) with a non-zero q.
bool AcceptsGzip(const Request& req);
// Text types worth compressing (JSON, CSV, HTML, JS, CSS, SVG, ...).
bool Compressible(std::string_view content_type);

// Moves the body into shared_body, so copies (cache hits) share it instead of copying it.
void Share(Response& res);
// Share(), then, for a compressible body of at least kMinGzipBytes that gzip shrinks by 10 %
// or more, fills gzip_body. Marks gzip_checked.
void Precompress(Response& res);
// True when `req` accepts gzip and `res` could use a gzip body that Precompress() has not
// made yet. The response cache compresses an entry when the first such request meets it,
// so clients that never ask for gzip never pay for it.
bool WantsCompressing(const Request& req, const Response& res);

// Adds Vary: Accept-Encoding to compressible responses and, when the client accepts gzip,
// sends the gzip body (Content-Encoding: gzip, ETag suffixed "-gz" so the two representations
// never share a validator). Compresses on the spot only when `may_compress` (worker threads)
// and Precompress() has not already decided. A streamed body is wrapped in a GzipStream (its
// pieces are produced, and so compressed, on the worker pool).
void Negotiate(const Request& req, Response& res, bool may_compress);

// Incremental gzip for streamed bodies: each Add() appends the compressed form of `plain` to
// `out`, flushed (Z_SYNC_FLUSH) so the client can decode every chunk as it arrives; the last
// call (`last`) ends the gzip member. Not thread-safe; one per stream.
class GzipStream {
 public:
  GzipStream();
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;
  void Add(std::string_view plain, bool last, std::string& out);

 private:
  struct State;
  std::unique_ptr<State> z_;
};

// "abc" -> "abc-gz", W/"abc" -> W/"abc-gz".
std::string GzipEtag(const std::string& etag);

}  // namespace corrente::server
