#include "tests/tail/fake_file_system.h"

#include <fnmatch.h>

#include <algorithm>

#include "base/check.h"

namespace culprit::testing {

struct FakeFileSystem::Node {
  uint64_t inode = 0;
  std::string data;
  Timestamp mtime;
  bool is_dir = false;
  int open_files = 0;  // guarded by the file system's mutex
};

class FakeFileSystem::File final : public tail::ReadableFile {
 public:
  File(FakeFileSystem* fs, std::shared_ptr<Node> node) : fs_(fs), node_(std::move(node)) {
    ++node_->open_files;  // the caller holds fs->mu_
  }
  ~File() override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    --node_->open_files;
  }

  Result<size_t> ReadAt(int64_t offset, size_t n, char* buf) override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    if (offset < 0) return Status::InvalidArgument("negative offset");
    const auto size = static_cast<int64_t>(node_->data.size());
    if (offset >= size) return size_t{0};
    const size_t count = std::min(n, static_cast<size_t>(size - offset));
    std::copy_n(node_->data.data() + offset, count, buf);
    return count;
  }

  Result<tail::FileInfo> Stat() override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    tail::FileInfo info;
    info.dev = fs_->dev_;
    info.inode = node_->inode;
    info.size = static_cast<int64_t>(node_->data.size());
    info.mtime = node_->mtime;
    info.is_regular = !node_->is_dir;
    return info;
  }

 private:
  FakeFileSystem* fs_;
  std::shared_ptr<Node> node_;
};

FakeFileSystem::FakeFileSystem(uint64_t dev) : dev_(dev) {}

FakeFileSystem::~FakeFileSystem() = default;

std::shared_ptr<FakeFileSystem::Node> FakeFileSystem::NewNodeLocked(uint64_t inode) {
  auto node = std::make_shared<Node>();
  node->inode = inode;
  TouchLocked(*node);
  return node;
}

std::shared_ptr<FakeFileSystem::Node> FakeFileSystem::FindLocked(const std::string& path) const {
  auto it = paths_.find(path);
  return it == paths_.end() ? nullptr : it->second;
}

void FakeFileSystem::TouchLocked(Node& node) {
  node.mtime = FromUnixMicros(++clock_seconds_ * 1'000'000);
}

void FakeFileSystem::Create(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  paths_[path] = NewNodeLocked(next_inode_++);
}

void FakeFileSystem::Append(const std::string& path, std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Node>& node = paths_[path];
  if (node == nullptr) node = NewNodeLocked(next_inode_++);
  node->data.append(bytes);
  TouchLocked(*node);
}

void FakeFileSystem::AppendPartial(const std::string& path, std::string_view text) {
  CULPRIT_CHECK(text.find('\n') == std::string_view::npos);
  Append(path, text);
}

void FakeFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = paths_.find(from);
  CULPRIT_CHECK(it != paths_.end());
  std::shared_ptr<Node> node = std::move(it->second);
  paths_.erase(it);
  paths_[to] = std::move(node);
}

void FakeFileSystem::Rotate(const std::string& path, const std::string& rotated_path) {
  Rename(path, rotated_path);
  Create(path);
}

void FakeFileSystem::CopyTruncate(const std::string& path, const std::string& copy_path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Node> node = FindLocked(path);
  CULPRIT_CHECK(node != nullptr);
  std::shared_ptr<Node> copy = NewNodeLocked(next_inode_++);
  copy->data = node->data;
  paths_[copy_path] = std::move(copy);
  node->data.clear();
  TouchLocked(*node);
}

void FakeFileSystem::Truncate(const std::string& path, int64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Node> node = FindLocked(path);
  CULPRIT_CHECK(node != nullptr && size >= 0);
  node->data.resize(static_cast<size_t>(size), '\0');
  TouchLocked(*node);
}

void FakeFileSystem::Overwrite(const std::string& path, std::string_view contents) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Node> node = FindLocked(path);
  CULPRIT_CHECK(node != nullptr);
  node->data.assign(contents);
  TouchLocked(*node);
}

void FakeFileSystem::Delete(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  paths_.erase(path);
}

Status FakeFileSystem::RecreateWithSameInode(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Node> old = FindLocked(path);
  if (old == nullptr) return Status::NotFound("\"" + path + "\" does not exist");
  if (old->open_files > 0) {
    return Status::FailedPrecondition("\"" + path + "\" is still open: its inode cannot be reused");
  }
  paths_[path] = NewNodeLocked(old->inode);
  return Status::Ok();
}

void FakeFileSystem::MakeDirectory(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Node> node = NewNodeLocked(next_inode_++);
  node->is_dir = true;
  paths_[path] = std::move(node);
}

bool FakeFileSystem::Exists(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  return FindLocked(path) != nullptr;
}

std::string FakeFileSystem::Contents(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Node> node = FindLocked(path);
  return node == nullptr ? std::string() : node->data;
}

uint64_t FakeFileSystem::Inode(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Node> node = FindLocked(path);
  return node == nullptr ? 0 : node->inode;
}

int FakeFileSystem::OpenCount(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Node> node = FindLocked(path);
  return node == nullptr ? 0 : node->open_files;
}

Result<tail::FileInfo> FakeFileSystem::Stat(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Node> node = FindLocked(path);
  if (node == nullptr) return Status::NotFound("\"" + path + "\" does not exist");
  tail::FileInfo info;
  info.dev = dev_;
  info.inode = node->inode;
  info.size = static_cast<int64_t>(node->data.size());
  info.mtime = node->mtime;
  info.is_regular = !node->is_dir;
  return info;
}

Result<std::unique_ptr<tail::ReadableFile>> FakeFileSystem::Open(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Node> node = FindLocked(path);
  if (node == nullptr) return Status::NotFound("\"" + path + "\" does not exist");
  if (node->is_dir) return Status::IoError("open \"" + path + "\": is a directory");
  return std::unique_ptr<tail::ReadableFile>(new File(this, std::move(node)));
}

Result<std::vector<std::string>> FakeFileSystem::Glob(const std::string& pattern) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [path, node] : paths_) {
    if (::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME | FNM_PERIOD) == 0) {
      out.push_back(path);  // std::map: already sorted
    }
  }
  return out;
}

// --- FailingFileSystem

class FailingFileSystem::File final : public tail::ReadableFile {
 public:
  File(FailingFileSystem* fs, std::unique_ptr<tail::ReadableFile> base, std::string path)
      : fs_(fs), base_(std::move(base)), path_(std::move(path)) {}

  Result<size_t> ReadAt(int64_t offset, size_t n, char* buf) override {
    if (fs_->ShouldFail(Op::kReadAt)) return fs_->Injected(Op::kReadAt, path_);
    return base_->ReadAt(offset, n, buf);
  }
  Result<tail::FileInfo> Stat() override {
    if (fs_->ShouldFail(Op::kFileStat)) return fs_->Injected(Op::kFileStat, path_);
    return base_->Stat();
  }

 private:
  FailingFileSystem* fs_;
  std::unique_ptr<tail::ReadableFile> base_;
  std::string path_;
};

FailingFileSystem::FailingFileSystem(tail::FileSystem* base) : base_(base) {}

void FailingFileSystem::FailNth(Op op, int n, int count) {
  CULPRIT_CHECK(n >= 1 && count >= 1);
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t first = calls_[op] + n;
  fail_ranges_[op] = {first, first + count - 1};
}

void FailingFileSystem::FailRandomly(double p, uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  probability_ = p;
  rng_.seed(seed);
}

int64_t FailingFileSystem::calls(Op op) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = calls_.find(op);
  return it == calls_.end() ? 0 : it->second;
}

int64_t FailingFileSystem::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

bool FailingFileSystem::ShouldFail(Op op) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t call = ++calls_[op];
  bool fail = false;
  if (auto it = fail_ranges_.find(op); it != fail_ranges_.end()) {
    fail = call >= it->second.first && call <= it->second.second;
  }
  if (!fail && probability_ > 0) {
    fail = std::uniform_real_distribution<double>(0, 1)(rng_) < probability_;
  }
  if (fail) ++failures_;
  return fail;
}

Status FailingFileSystem::Injected(Op op, const std::string& path) {
  static constexpr const char* kNames[] = {"stat", "open", "glob", "read", "fstat"};
  return Status::IoError(std::string(kNames[static_cast<int>(op)]) + " \"" + path +
                         "\": injected I/O error");
}

Result<tail::FileInfo> FailingFileSystem::Stat(const std::string& path) {
  if (ShouldFail(Op::kStat)) return Injected(Op::kStat, path);
  return base_->Stat(path);
}

Result<std::unique_ptr<tail::ReadableFile>> FailingFileSystem::Open(const std::string& path) {
  if (ShouldFail(Op::kOpen)) return Injected(Op::kOpen, path);
  Result<std::unique_ptr<tail::ReadableFile>> file = base_->Open(path);
  if (!file.ok()) return file.status();
  return std::unique_ptr<tail::ReadableFile>(new File(this, std::move(*file), path));
}

Result<std::vector<std::string>> FailingFileSystem::Glob(const std::string& pattern) {
  if (ShouldFail(Op::kGlob)) return Injected(Op::kGlob, pattern);
  return base_->Glob(pattern);
}

}  // namespace culprit::testing
