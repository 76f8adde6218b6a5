// Asio 1.18 (Boost 1.74, Debian 12) starts every asynchronous read with a speculative recv and
// waits for readiness only if that finds nothing. For a connection that sends one message at a
// time, that recv finds nothing every time: one wasted system call a message. Asio keeps, per
// descriptor, a flag that turns the speculative recv off until the next readiness event (it
// clears it itself only at end of file); it has no public way to set it, so this file reaches
// it, and only for the Asio it was checked against. See docs/IO-SHARDS.md.
#include "server/net/drained_socket.hpp"

#if SECCAM_DRAINED_SOCKET
#include <boost/asio/detail/epoll_reactor.hpp>
#endif

namespace seccam::server {

#if SECCAM_DRAINED_SOCKET
namespace {

using Reactor = boost::asio::detail::epoll_reactor;
using SpeculativeFlags = bool (Reactor::descriptor_state::*)[Reactor::max_ops];

// The member is private to Asio's reactor. An explicit instantiation may name a private member
// ([temp.spec.general]), and the friend it defines hands the pointer out.
SpeculativeFlags trySpeculative();
template <SpeculativeFlags Member>
struct ReachTrySpeculative {
  friend SpeculativeFlags trySpeculative() { return Member; }
};
template struct ReachTrySpeculative<&Reactor::descriptor_state::try_speculative_>;

}  // namespace

void DrainedSocket::markDrained() {
  // The reactor's state for this descriptor (null once closed). Its mutex is not taken: only
  // this io_context's one thread reads or writes the flag (the reactor sets it again, under
  // the mutex, on that same thread when the next readiness event is handled).
  Reactor::per_descriptor_data state = impl_.get_implementation().reactor_data_;
  if (state) (state->*trySpeculative())[Reactor::read_op] = false;
}
#else
void DrainedSocket::markDrained() {}
#endif

}  // namespace seccam::server
