#ifndef CULPRIT_TESTS_TESTING_TEMP_DIR_H_
#define CULPRIT_TESTS_TESTING_TEMP_DIR_H_

// A fresh directory under $TMPDIR (or /tmp), removed with its contents when
// the object goes away.

#include <string>

namespace culprit::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string File(const std::string& name) const;
  // Writes `contents` to path()/name, creating parent directories.
  void Write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

// Whole contents of a file; empty if it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace culprit::testing

#endif  // CULPRIT_TESTS_TESTING_TEMP_DIR_H_
