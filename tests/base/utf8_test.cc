#include "base/utf8.h"

#include <gtest/gtest.h>

namespace culprit {
namespace {

TEST(Utf8Test, SequenceLengths) {
  EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xc3\xa9", 0), 2u);          // é
  EXPECT_EQ(Utf8SequenceLength("\xe2\x82\xac", 0), 3u);      // €
  EXPECT_EQ(Utf8SequenceLength("\xf0\x9f\x98\x80", 0), 4u);  // 😀
  EXPECT_EQ(Utf8SequenceLength("\xc0\xaf", 0), 0u);          // overlong '/'
  EXPECT_EQ(Utf8SequenceLength("\xed\xa0\x80", 0), 0u);      // a surrogate
  EXPECT_EQ(Utf8SequenceLength("\xf4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xe2\x82", 0), 0u);          // cut short
  EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);              // a lone continuation
}

TEST(Utf8Test, EscapesOnlyWhatIsNotUtf8) {
  EXPECT_EQ(EscapeInvalidUtf8("plain caf\xc3\xa9"), "plain caf\xc3\xa9");
  // A TLS ClientHello sent to a plain port, as a server might log it.
  EXPECT_EQ(EscapeInvalidUtf8(std::string("\x16\x03\x01\x02\x00\x01\xfc", 7)),
            std::string("\x16\x03\x01\x02", 4) + std::string(1, '\0') + "\x01\\xfc");
  EXPECT_EQ(EscapeInvalidUtf8("\xff\xc3"), "\\xff\\xc3");
}

}  // namespace
}  // namespace culprit
