#include "common/ordinary_disconnect.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace seccam {

bool isOrdinaryDisconnect(const boost::system::error_code& ec) {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  return ec == beast::websocket::error::closed || ec == beast::http::error::end_of_stream ||
         ec == net::error::eof || ec == net::error::operation_aborted ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == beast::error::timeout || ec == net::ssl::error::stream_truncated;
}

}  // namespace seccam
