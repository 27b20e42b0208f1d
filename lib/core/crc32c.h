#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as iSCSI (RFC 3720) and TFRecord /
// TensorBoard event files use it, and TensorFlow's "masked" form of it.
#include <cstdint>
#include <string_view>

namespace gpt2 {

uint32_t crc32c(std::string_view data);

// TFRecord stores ((crc >> 15) | (crc << 17)) + 0xa282ead8, so that a CRC of data that itself
// holds CRCs does not degenerate.
uint32_t masked_crc32c(std::string_view data);

}  // namespace gpt2
