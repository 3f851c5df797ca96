// StopSequences: text split into pieces at every possible place gives the same output as
// cutting the whole text at the first occurrence of a stop sequence (std::string::find is the
// independent expectation); nothing after the cut is released; held text is released once it
// cannot start a stop sequence, and at finish(); bad sequences are refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/src/text/stop_sequences.h"

using namespace griffin;

namespace {

struct Outcome {
  std::string text;
  bool matched = false;
};

// Streams `text` through the filter in pieces that end at each of `cuts`.
Outcome stream(const std::vector<const char*>& stops, const std::string& text,
               const std::vector<size_t>& cuts) {
  StopSequences filter;
  filter.reset(stops.data(), stops.size());
  Outcome out;
  size_t start = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(text.size());
  for (size_t end : ends) {
    std::string_view release;
    out.matched = filter.push(std::string_view(text).substr(start, end - start), &release);
    out.text += std::string(release);
    start = end;
    if (out.matched) return out;
  }
  out.text += std::string(filter.finish());
  return out;
}

// The expectation: the text before the first occurrence of any stop sequence.
Outcome cut_whole(const std::vector<const char*>& stops, const std::string& text) {
  size_t first = std::string::npos;
  for (const char* stop : stops) first = std::min(first, text.find(stop));
  return first == std::string::npos ? Outcome{text, false} : Outcome{text.substr(0, first), true};
}

}  // namespace

TEST_CASE("stop sequences match across every split of the text", "[text][stop]") {
  const std::vector<const char*> stops = {"\n\n", "THE END", "ab\xC3\xA9"};
  const std::vector<std::string> texts = {
      "Once upon a time.\n\nMore text",   // matches "\n\n"
      "and so it was. THE END, said he",  // matches "THE END"
      "xxabab\xC3\xA9yy",                 // matches after a false start ("ab" then "ab\xC3\xA9")
      "THE EN\nD and \n a b",             // partial matches only: everything comes out
      "no stop at all",
  };
  for (const std::string& text : texts) {
    const Outcome expected = cut_whole(stops, text);
    // One cut anywhere, and two cuts anywhere.
    for (size_t a = 0; a <= text.size(); ++a) {
      for (size_t b = a; b <= text.size(); ++b) {
        INFO("text \"" << text << "\" cut at " << a << " and " << b);
        const Outcome got = stream(stops, text, {a, b});
        REQUIRE(got.matched == expected.matched);
        REQUIRE(got.text == expected.text);
      }
    }
  }
}

TEST_CASE("held text is released as soon as it cannot start a stop sequence", "[text][stop]") {
  const std::vector<const char*> stops = {"STOP"};
  StopSequences filter;
  filter.reset(stops.data(), stops.size());
  std::string_view release;
  CHECK_FALSE(filter.push("go ST", &release));
  CHECK(release == "go ");
  CHECK(filter.held() == 2);
  CHECK_FALSE(filter.push("O", &release));
  CHECK(release == "");
  CHECK(filter.held() == 3);
  CHECK_FALSE(filter.push("W", &release));  // "STOW" cannot become "STOP"
  CHECK(release == "STOW");
  CHECK(filter.held() == 0);
  CHECK_FALSE(filter.push("ST", &release));
  CHECK(filter.finish() == "ST");
}

TEST_CASE("without stop sequences everything passes straight through", "[text][stop]") {
  StopSequences filter;
  filter.reset(nullptr, 0);
  std::string_view release;
  CHECK_FALSE(filter.push("abc", &release));
  CHECK(release == "abc");
  CHECK(filter.finish().empty());
}

TEST_CASE("bad stop sequences are refused with the index", "[text][stop]") {
  const std::string longest(StopSequences::kMaxSequenceBytes, 'x');
  const std::string too_long(StopSequences::kMaxSequenceBytes + 1, 'x');
  const char* ok[] = {"a", longest.c_str(), "\xE2\x82\xAC"};
  CHECK(StopSequences::validate(ok, 3).ok());
  CHECK(StopSequences::validate(nullptr, 0).ok());
  CHECK(StopSequences::validate(nullptr, 1).code() == StatusCode::kInvalidArgument);
  const char* empty[] = {"a", ""};
  Status status = StopSequences::validate(empty, 2);
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(status.message(), Catch::Contains("stop sequence 1 is empty"));
  const char* long_one[] = {too_long.c_str()};
  CHECK_THAT(StopSequences::validate(long_one, 1).message(), Catch::Contains("at most 256"));
  const char* null_one[] = {nullptr};
  CHECK(StopSequences::validate(null_one, 1).code() == StatusCode::kInvalidArgument);
  // A lone continuation byte, a truncated character, an overlong form.
  for (const char* bad : {"\x82", "ab\xE2\x82", "\xC0\xAF"}) {
    const char* one[] = {bad};
    CHECK_THAT(StopSequences::validate(one, 1).message(), Catch::Contains("not valid UTF-8"));
  }
}
