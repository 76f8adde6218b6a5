// Caps open connections per client address and in total: every connection is a descriptor,
// and a few hundred idle sockets from one address would otherwise use them all up.
// A connection past a cap is not dropped unread: a small reserve of slots lets it be
// answered (503, or /healthz), so monitors keep seeing the server and clients learn why.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace seccam::server {

class ConnectionLimiter {
 public:
  struct Limits {
    std::size_t total = 0;       // connections served normally, all addresses together
    std::size_t perAddress = 0;  // per client address; 0: no per-address cap
    // Connections past a cap that are still read and answered (503 or /healthz) before they
    // are closed; past these they are closed at once.
    std::size_t reserve = 0;
    std::size_t reservePerAddress = 0;
  };

  enum class Admission {
    admitted,         // within the caps: served as usual
    overAddressCap,   // this address has its share open: one answer, then closed
    overTotalCap,     // the server is full: one answer, then closed
    refused,          // not even a reserve slot: close at once
  };

  // Holds a connection's place while it lives (move-only); the hub keeps it with the
  // WebSocket, so long-lived sockets count too. Releasing it frees the place.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();
    void release();

   private:
    friend class ConnectionLimiter;
    struct State;
    struct AddressCounts;
    Slot(std::shared_ptr<State> state, AddressCounts* counts, bool reserve)
        : state_(std::move(state)), counts_(counts), reserve_(reserve) {}
    std::shared_ptr<State> state_;
    AddressCounts* counts_ = nullptr;  // its address's entry; lives while any slot holds it
    bool reserve_ = false;
  };

  struct Ticket {
    Admission admission = Admission::refused;
    Slot slot;  // empty when refused
  };

  explicit ConnectionLimiter(Limits limits);
  ~ConnectionLimiter();

  // `exemptFromAddressCap`: a trusted reverse proxy, which carries many people's connections.
  Ticket admit(const std::string& address, bool exemptFromAddressCap = false);
  std::size_t open() const;  // normal and reserve slots held
  const Limits& limits() const { return limits_; }

 private:
  Limits limits_;
  std::shared_ptr<Slot::State> state_;
};

}  // namespace seccam::server
