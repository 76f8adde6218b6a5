// Latency probe band: see latency_stamp.hpp.
#include "camera/pipeline/latency_stamp.hpp"

#include <algorithm>
#include <cstring>

namespace seccam::camera {

namespace {
constexpr int kMinBandHeight = 16;
constexpr int kBandHeightDivisor = 20;
// The reference cells must differ at least this much for a reading to be trusted.
constexpr int kMinReferenceContrast = 64;

int cellStart(int cell, int width) { return cell * width / kStampCells; }

std::uint8_t cellValue(int cell, std::uint64_t ms) {
  if (cell == 0) return kStampWhite;
  if (cell == 1) return kStampBlack;
  int bit = kStampTimeBits - 1 - (cell - 2);
  return (ms >> bit) & 1 ? kStampWhite : kStampBlack;
}
}  // namespace

int stampBandHeight(int height) { return std::max(kMinBandHeight, height / kBandHeightDivisor); }

void writeLatencyStamp(std::uint8_t* luma, int stride, int width, int height,
                       std::uint64_t captureMs) {
  int band = std::min(height, stampBandHeight(height));
  for (int y = 0; y < band; ++y) {
    std::uint8_t* row = luma + static_cast<std::ptrdiff_t>(y) * stride;
    for (int cell = 0; cell < kStampCells; ++cell) {
      int x0 = cellStart(cell, width);
      int x1 = cellStart(cell + 1, width);
      std::memset(row + x0, cellValue(cell, captureMs), static_cast<std::size_t>(x1 - x0));
    }
  }
}

std::optional<std::uint64_t> readLatencyStamp(const std::uint8_t* luma, int stride, int width,
                                              int height) {
  int band = std::min(height, stampBandHeight(height));
  const std::uint8_t* row = luma + static_cast<std::ptrdiff_t>(band / 2) * stride;
  auto sample = [&](int cell) {
    int middle = (cellStart(cell, width) + cellStart(cell + 1, width)) / 2;
    return static_cast<int>(row[middle]);
  };
  int white = sample(0);
  int black = sample(1);
  if (white - black < kMinReferenceContrast) return std::nullopt;
  int threshold = (white + black) / 2;
  std::uint64_t ms = 0;
  for (int cell = 2; cell < kStampCells; ++cell)
    ms = (ms << 1) | (sample(cell) > threshold ? 1 : 0);
  return ms;
}

}  // namespace seccam::camera
