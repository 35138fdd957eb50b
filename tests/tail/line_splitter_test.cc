#include "daemon/tail/line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace culprit::tail {
namespace {

struct Expected {
  int64_t offset;
  std::string text;
  bool truncated;
};

struct Case {
  const char* name;
  size_t max_line_bytes;
  std::vector<std::string> pieces;  // fed one after the other
  std::vector<Expected> lines;
  int64_t line_start;  // after all pieces
};

// Real access-log shapes, cut at awkward places.
const char kNginx[] =
    "10.1.2.3 - - [24/Nov/2026:10:00:01 +0000] \"GET /a HTTP/1.1\" 200 612 \"-\" \"curl/8.0\"";

class LineSplitterTest : public ::testing::TestWithParam<Case> {};

TEST_P(LineSplitterTest, SplitsAsSpecified) {
  const Case& c = GetParam();
  LineSplitter splitter(c.max_line_bytes);
  FileChunk chunk;
  for (const std::string& piece : c.pieces) splitter.Feed(piece, &chunk);
  ASSERT_EQ(chunk.lines.size(), c.lines.size());
  for (size_t i = 0; i < c.lines.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(chunk.lines[i].offset, c.lines[i].offset);
    EXPECT_EQ(chunk.Text(chunk.lines[i]), c.lines[i].text);
    EXPECT_EQ(chunk.lines[i].truncated, c.lines[i].truncated);
  }
  EXPECT_EQ(splitter.line_start(), c.line_start);
}

const std::string kLine = kNginx;
const size_t kLen = kLine.size();

INSTANTIATE_TEST_SUITE_P(
    Table, LineSplitterTest,
    ::testing::Values(
        Case{"empty", 100, {""}, {}, 0},
        Case{"one_line", 200, {kLine + "\n"}, {{0, kLine, false}}, int64_t(kLen + 1)},
        Case{"empty_lines", 10, {"\n\n"}, {{0, "", false}, {1, "", false}}, 2},
        Case{"partial_held_back", 200, {kLine}, {}, 0},
        Case{"partial_completed_later",
             200,
             {kLine.substr(0, 10), kLine.substr(10), "\n"},
             {{0, kLine, false}},
             int64_t(kLen + 1)},
        Case{"crlf_stripped", 200, {kLine + "\r\n"}, {{0, kLine, false}}, int64_t(kLen + 2)},
        Case{"only_one_cr_stripped", 10, {"a\r\r\n"}, {{0, "a\r", false}}, 4},
        Case{"cr_alone_in_middle_kept", 10, {"a\rb\n"}, {{0, "a\rb", false}}, 4},
        Case{"crlf_split_across_pieces",
             10,
             {"ab\r", "\ncd\n"},
             {{0, "ab", false}, {4, "cd", false}},
             7},
        Case{"nul_and_invalid_utf8_kept",
             10,
             {std::string("a\0b\xff\n", 5)},
             {{0, std::string("a\0b\xff", 4), false}},
             5},
        Case{"long_line_cut", 5, {"0123456789\nab\n"}, {{0, "01234", true}, {11, "ab", false}}, 14},
        Case{"exactly_max_not_flagged", 5, {"01234\n"}, {{0, "01234", false}}, 6},
        Case{"max_plus_cr_not_flagged", 5, {"01234\r\n"}, {{0, "01234", false}}, 7},
        Case{"long_line_across_pieces",
             4,
             {"01", "23456", "789", "\nxy\n"},
             {{0, "0123", true}, {11, "xy", false}},
             14},
        Case{"long_crlf_line_cut", 3, {"abcdef\r\n"}, {{0, "abc", true}}, 8},
        Case{"long_line_then_partial", 3, {"abcdef\nxy"}, {{0, "abc", true}}, 7}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(LineSplitter, PieceByPieceEqualsWhole) {
  // Every way of cutting the same bytes gives the same lines.
  const std::string text = "ab\r\n\nlonger line here\nx\r\ny";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    SCOPED_TRACE(cut);
    LineSplitter whole(6), pieces(6);
    FileChunk a, b;
    whole.Feed(text, &a);
    pieces.Feed(std::string_view(text).substr(0, cut), &b);
    pieces.Feed(std::string_view(text).substr(cut), &b);
    ASSERT_EQ(a.lines.size(), b.lines.size());
    for (size_t i = 0; i < a.lines.size(); ++i) {
      EXPECT_EQ(a.Text(a.lines[i]), b.Text(b.lines[i]));
      EXPECT_EQ(a.lines[i].offset, b.lines[i].offset);
      EXPECT_EQ(a.lines[i].truncated, b.lines[i].truncated);
    }
    EXPECT_EQ(whole.line_start(), pieces.line_start());
  }
}

TEST(LineSplitter, ResetDiscardingSkipsToNextNewline) {
  LineSplitter splitter(10);
  splitter.ResetDiscarding(100);
  FileChunk chunk;
  splitter.Feed("rest of a line\nnext\n", &chunk);
  ASSERT_EQ(chunk.lines.size(), 1u);
  EXPECT_EQ(chunk.Text(chunk.lines[0]), "next");
  EXPECT_EQ(chunk.lines[0].offset, 115);
  EXPECT_EQ(splitter.line_start(), 120);
}

TEST(LineSplitter, FlushGivesOutTheUnterminatedLine) {
  LineSplitter splitter(10);
  FileChunk chunk;
  splitter.Feed("a\nlast", &chunk);
  EXPECT_EQ(splitter.pending_bytes(), 4);
  EXPECT_TRUE(splitter.Flush(&chunk));
  ASSERT_EQ(chunk.lines.size(), 2u);
  EXPECT_EQ(chunk.Text(chunk.lines[1]), "last");
  EXPECT_EQ(splitter.line_start(), 6);
  EXPECT_FALSE(splitter.Flush(&chunk));
}

TEST(LineSplitter, OneMebibyteLineIsCut) {
  LineSplitter splitter(64);
  FileChunk chunk;
  const std::string block(4096, 'x');
  for (int i = 0; i < 256; ++i) splitter.Feed(block, &chunk);
  splitter.Feed("\n", &chunk);
  ASSERT_EQ(chunk.lines.size(), 1u);
  EXPECT_TRUE(chunk.lines[0].truncated);
  EXPECT_EQ(chunk.lines[0].size, 64u);
  EXPECT_EQ(splitter.line_start(), 256 * 4096 + 1);
}

}  // namespace
}  // namespace culprit::tail
