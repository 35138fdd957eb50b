#ifndef CULPRIT_PARSERS_FORMAT_INTERNAL_LOADER_INTERNAL_H_
#define CULPRIT_PARSERS_FORMAT_INTERNAL_LOADER_INTERNAL_H_

// Loader pieces split across files (format_loader.cc, format_samples.cc).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "parsers/format/format_def.h"

namespace culprit::parsers::internal {

// LoadFormat() before the result is frozen as const.
Result<std::shared_ptr<FormatDef>> LoadFormatMutable(std::string_view toml_text,
                                                     std::string_view file_name);

// Runs every sample of `def` through a fresh parser and checks its expected
// fields, then that every pattern matched at least one sample. Returns one
// message per problem, each "<file>:<line>: ...". REQUIRES: def is
// otherwise valid (every regex compiled).
std::vector<std::string> CheckSamples(const FormatDef& def);

}  // namespace culprit::parsers::internal

#endif  // CULPRIT_PARSERS_FORMAT_INTERNAL_LOADER_INTERNAL_H_
