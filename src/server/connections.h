#pragma once
// The table of open client connections, with the cap on how many may be open at once.
// A connection is "idle" while it waits on the client: for a request's headers (a new
// connection, or a keep-alive one between requests) or for its body. When the table is full, a
// new connection evicts the one that has been idle longest, so a flood of silent or trickling
// connections cannot lock real clients out; only when every connection is busy (its request
// handled or its answer written) is the newcomer refused. Thread-safe.
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>

namespace corrente::server {

class ConnectionTable {
 public:
  struct Entry;
  using Handle = std::shared_ptr<Entry>;

  explicit ConnectionTable(size_t max_open);

  // Admits a connection, evicting the longest-idle one when the table is full. `evict` is
  // called (outside the table's lock, possibly on another thread) to close the connection if
  // it is ever evicted; it must be safe to call after the connection has ended. Returns null
  // when the table is full and no connection is idle: refuse the newcomer.
  Handle Open(std::function<void()> evict);
  // Marks the connection idle (waiting on the client) or busy. Returns false once the
  // connection has been evicted: it must then close.
  bool SetIdle(const Handle& h, bool idle);
  // Removes the connection; idempotent, and a no-op after an eviction.
  void Close(const Handle& h);

  size_t open() const;
  size_t idle() const;
  size_t evicted() const;
  size_t refused() const;
  size_t max_open() const { return max_open_; }

 private:
  const size_t max_open_;
  mutable std::mutex mu_;
  size_t open_ = 0;
  size_t evicted_ = 0;
  size_t refused_ = 0;
  std::list<Entry*> idle_;  // oldest first
};

struct ConnectionTable::Entry {
  std::function<void()> evict;
  bool open = true;
  bool idle = false;
  std::list<Entry*>::iterator pos;
};

// The soft limit on open files, first raised to the hard limit: each connection holds one.
size_t RaiseOpenFileLimit();
// The default cap for a machine: what the open-file limit leaves after a reserve for the
// database pool, logs and static files, and at most 10,000.
size_t DefaultMaxConnections(size_t open_file_limit);

}  // namespace corrente::server
