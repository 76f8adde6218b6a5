// PROTOCOL.md "Latency probe (video)": the capture time written into, and read back from, the
// top band of a picture's luma plane (50 cells: white and black references, then 48 bits of
// milliseconds since the Unix epoch, most significant first).
#pragma once

#include <cstdint>
#include <optional>

namespace seccam::camera {

inline constexpr int kStampCells = 50;
inline constexpr int kStampTimeBits = 48;
inline constexpr std::uint8_t kStampWhite = 235;  // video-range luma
inline constexpr std::uint8_t kStampBlack = 16;

// max(16, height / 20) pixels.
int stampBandHeight(int height);

// Writes the band into an 8-bit luma plane (and paints nothing else).
void writeLatencyStamp(std::uint8_t* luma, int stride, int width, int height,
                       std::uint64_t captureMs);

// Reads the band back; nullopt when the reference cells are not clearly white and black.
std::optional<std::uint64_t> readLatencyStamp(const std::uint8_t* luma, int stride, int width,
                                              int height);

}  // namespace seccam::camera
