// A plain TCP socket that can tell Asio's reactor "its receive queue was just found empty", so
// that the next asynchronous read waits for readiness instead of trying a recv first
// (docs/IO-SHARDS.md, "Reads without a speculative recv").
#pragma once

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/version.hpp>

// The reactor this was written for and checked against: Asio 1.18 (Boost 1.74) on epoll.
#if defined(BOOST_ASIO_HAS_EPOLL) && BOOST_ASIO_VERSION == 101800
#define SECCAM_DRAINED_SOCKET 1
#else
#define SECCAM_DRAINED_SOCKET 0
#endif

namespace seccam::server {

class DrainedSocket
    : public boost::asio::basic_stream_socket<boost::asio::ip::tcp,
                                              boost::asio::io_context::executor_type> {
 public:
  using basic_stream_socket::basic_stream_socket;

  // False where the reactor is not the one this was written for (another Asio version, a
  // platform without epoll): markDrained() then does nothing and reads behave as Asio's own.
  static constexpr bool kSkipsSpeculativeRead = SECCAM_DRAINED_SOCKET;

  // Call only on the one thread that runs this socket's io_context, in the same handler that
  // saw a read come back short (or find nothing) and before the next async_read_some:
  // nothing else may have run on the thread between the two. That read then waits for the
  // next readiness event, which the kernel raises for any byte that arrives after the short
  // read (edge-triggered epoll), instead of Asio's speculative recv, which would find
  // nothing.
  void markDrained();
};

}  // namespace seccam::server
