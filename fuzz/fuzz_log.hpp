// Logging in the fuzz targets: every log call still formats its message with the project's
// escaping pattern (so that crafted input reaches that code too), and the line is dropped.
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

#include "common/log_format.hpp"

namespace seccam::fuzz {

class DiscardingSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t line;
    formatter_->format(message, line);
  }
  void flush_() override {}
};

inline void discardLogs() {
  auto logger = std::make_shared<spdlog::logger>("fuzz", std::make_shared<DiscardingSink>());
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  logging::useEscapingFormat("[%Y-%m-%d %H:%M:%S.%e] [%n] [%^%l%$] %*");
}

}  // namespace seccam::fuzz
