#pragma once
// A scratch directory for one test, removed afterwards.

#include <unistd.h>

#include <filesystem>
#include <string>

namespace kubeheal::detect_cli::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kubeheal-detect-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? pattern : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace kubeheal::detect_cli::testing
