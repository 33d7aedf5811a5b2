#include "kubeheal/kube/group_version_resource.h"

namespace kubeheal::kube {

std::string GroupVersionResource::ApiPrefix() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string GroupVersionResource::Path(const std::string& ns, const std::string& name,
                                       const std::string& subresource) const {
  std::string path = ApiPrefix();
  if (namespaced && !ns.empty()) path += "/namespaces/" + ns;
  path += "/" + resource;
  if (!name.empty()) {
    path += "/" + name;
    if (!subresource.empty()) path += "/" + subresource;
  }
  return path;
}

std::string GroupVersionResource::QualifiedName() const {
  return group.empty() ? resource : resource + "." + group;
}

}  // namespace kubeheal::kube
