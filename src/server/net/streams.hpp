// The two kinds of accepted connection (plain TCP and TLS), as the HTTP layer reads them and
// hands them on to the signaling hub.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace seccam::server {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

}  // namespace seccam::server
