#include <catch2/catch.hpp>
#include <string>

#include "core/crc32c.h"

using namespace gpt2;

// RFC 3720 (iSCSI) appendix B.4 check vectors and the common "123456789" check value.
TEST_CASE("crc32c matches the RFC 3720 check vectors", "[crc32c]") {
  CHECK(crc32c(std::string(32, '\x00')) == 0x8A9136AAu);
  CHECK(crc32c(std::string(32, '\xFF')) == 0x62A8AB43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending += char(i);
    descending += char(31 - i);
  }
  CHECK(crc32c(ascending) == 0x46DD794Eu);
  CHECK(crc32c(descending) == 0x113FDB5Cu);
  CHECK(crc32c("123456789") == 0xE3069283u);
  CHECK(crc32c("") == 0u);
}

TEST_CASE("masked crc32c rotates right by 15 and adds TensorFlow's constant", "[crc32c]") {
  const uint32_t crc = 0xE3069283u;  // of "123456789"
  const uint32_t rotated = (crc >> 15) | (crc << 17);
  CHECK(masked_crc32c("123456789") == uint32_t(rotated + 0xa282ead8u));
  // By hand: 0xE3069283 rotated right by 15 is 0x2507C60D (the low 15 bits move to the
  // top); + 0xA282EAD8 = 0xC78AB0E5 (mod 2^32).
  CHECK(rotated == 0x2507C60Du);
  CHECK(masked_crc32c("123456789") == 0xC78AB0E5u);
}
