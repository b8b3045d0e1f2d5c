#include "server/encoding.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace corrente::server {
namespace {

// windowBits 15 + 16 selects the gzip wrapper in deflateInit2/inflateInit2.
constexpr int kGzipWindow = 15 + 16;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string Gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

std::string Gunzip(std::string_view data) {
  z_stream z{};
  if (inflateInit2(&z, kGzipWindow) != Z_OK) throw std::runtime_error("inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("corrupt gzip data");
  return out;
}

struct GzipStream::State {
  z_stream z{};
};

GzipStream::GzipStream() : z_(std::make_unique<State>()) {
  if (deflateInit2(&z_->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    throw std::runtime_error("deflateInit2 failed");
}

GzipStream::~GzipStream() { deflateEnd(&z_->z); }

void GzipStream::Add(std::string_view plain, bool last, std::string& out) {
  z_stream& z = z_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  int flush = last ? Z_FINISH : Z_SYNC_FLUSH;
  char buf[16384];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = deflate(&z, flush);
    if (rc == Z_STREAM_ERROR) throw std::runtime_error("deflate failed");
    out.append(buf, sizeof buf - z.avail_out);
  } while (z.avail_out == 0 || (last && rc != Z_STREAM_END));
}

bool Listed(std::string_view header, std::initializer_list<std::string_view> names) {
  std::string v = Lower(std::string(header));
  size_t i = 0;
  while (i < v.size()) {
    size_t j = v.find(',', i);
    if (j == std::string::npos) j = v.size();
    std::string_view item(v.data() + i, j - i);
    i = j + 1;
    size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;
    if (semi == std::string_view::npos) return true;
    size_t q = item.find("q=", semi);
    if (q == std::string_view::npos) return true;
    return std::strtod(std::string(item.substr(q + 2)).c_str(), nullptr) > 0;
  }
  return false;
}

bool AcceptsGzip(const Request& req) {
  auto h = req.Header("accept-encoding");
  return h && Listed(*h, {"gzip", "x-gzip", "*"});
}

bool Compressible(std::string_view type) {
  return type.starts_with("text/") || type.starts_with("application/json") ||
         type.starts_with("application/javascript") ||
         type.starts_with("application/manifest+json") || type.starts_with("image/svg+xml");
}

void Share(Response& res) {
  if (!res.shared_body) res.shared_body = std::make_shared<const std::string>(std::move(res.body));
  res.body.clear();
}

bool WantsCompressing(const Request& req, const Response& res) {
  return !res.gzip_checked && !res.stream && Compressible(res.content_type) &&
         res.Body().size() >= kMinGzipBytes && AcceptsGzip(req);
}

void Precompress(Response& res) {
  if (res.gzip_checked) return;
  res.gzip_checked = true;
  Share(res);
  const std::string& plain = *res.shared_body;
  if (plain.size() < kMinGzipBytes || !Compressible(res.content_type)) return;
  std::string z = Gzip(plain);
  if (z.size() <= plain.size() - plain.size() / 10)
    res.gzip_body = std::make_shared<const std::string>(std::move(z));
}

std::string GzipEtag(const std::string& etag) {
  if (etag.size() < 2 || etag.back() != '"') return etag;
  return etag.substr(0, etag.size() - 1) + "-gz\"";
}

void Negotiate(const Request& req, Response& res, bool may_compress) {
  if (res.live) return;  // each event must reach the client as written
  if (!Compressible(res.content_type) || res.status < 200 || res.status == 204 || res.status == 304)
    return;
  res.headers.emplace_back("Vary", "Accept-Encoding");
  if (!AcceptsGzip(req)) return;
  if (res.stream) {
    auto z = std::make_shared<GzipStream>();
    res.stream = [plain = std::move(res.stream), z](std::string& out) {
      std::string piece;
      bool more = plain(piece);
      z->Add(piece, !more, out);
      return more;
    };
    res.headers.emplace_back("Content-Encoding", "gzip");
    return;
  }
  if (!res.gzip_checked) {
    if (!may_compress) return;
    Precompress(res);
  }
  if (!res.gzip_body) return;
  res.shared_body = res.gzip_body;
  res.body.clear();
  res.headers.emplace_back("Content-Encoding", "gzip");
  for (auto& [k, v] : res.headers)
    if (k == "ETag") v = GzipEtag(v);
}

}  // namespace corrente::server
