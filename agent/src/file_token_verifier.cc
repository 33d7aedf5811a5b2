#include "kubeheal/agent/file_token_verifier.h"

#include <sys/stat.h>

#include <fstream>
#include <iterator>

namespace kubeheal::agent {
namespace {

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

FileTokenVerifier::FileTokenVerifier(std::string path) : path_(std::move(path)) {}

TokenVerifier::Verdict FileTokenVerifier::verify(std::string_view authorization) {
  std::lock_guard lock(mutex_);
  if (path_.empty())
    return {false, "admin API disabled: the agent was started without --token-file"};
  struct stat info {};
  if (stat(path_.c_str(), &info) != 0) {
    return {false, "admin API disabled: token file " + path_ + " cannot be read"};
  }
  if (!loaded_ || info.st_mtim.tv_sec != mtime_.tv_sec || info.st_mtim.tv_nsec != mtime_.tv_nsec) {
    std::ifstream file(path_);
    if (!file) return {false, "admin API disabled: token file " + path_ + " cannot be read"};
    token_ =
        trim(std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>()));
    mtime_ = info.st_mtim;
    loaded_ = true;
  }
  if (token_.empty()) return {false, "admin API disabled: token file " + path_ + " is empty"};
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size() ||
      authorization.substr(0, kScheme.size()) != kScheme) {
    return {false, "missing 'Authorization: Bearer <token>'"};
  }
  if (!constantTimeEquals(authorization.substr(kScheme.size()), token_)) {
    return {false, "invalid token"};
  }
  return {true, ""};
}

}  // namespace kubeheal::agent
