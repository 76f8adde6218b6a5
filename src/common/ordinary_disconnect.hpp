// The one place that decides which ends of a network connection are ordinary (the peer left,
// we closed, a timeout we set): those are not worth a log line above debug.
#pragma once

#include <boost/system/error_code.hpp>

namespace seccam {

bool isOrdinaryDisconnect(const boost::system::error_code& ec);

}  // namespace seccam
