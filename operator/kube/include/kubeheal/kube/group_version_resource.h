#pragma once

#include <string>

namespace kubeheal::kube {

// A resource addressed generically, so CRDs need no generated types: the core group is "".
struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;  // plural, lower case: "configmaps", "deployments", "healingpolicies"
  bool namespaced = true;

  // "/api/v1" or "/apis/apps/v1".
  std::string ApiPrefix() const;
  // ".../namespaces/<ns>/<resource>[/<name>[/<subresource>]]"; `ns` ignored when cluster-scoped.
  std::string Path(const std::string& ns, const std::string& name = "",
                   const std::string& subresource = "") const;
  // "deployments.apps" or "configmaps", as Kubernetes names a resource in messages.
  std::string QualifiedName() const;

  static GroupVersionResource ConfigMaps() { return {"", "v1", "configmaps"}; }
  static GroupVersionResource Pods() { return {"", "v1", "pods"}; }
  static GroupVersionResource Events() { return {"", "v1", "events"}; }
  static GroupVersionResource Namespaces() { return {"", "v1", "namespaces", false}; }
  static GroupVersionResource Secrets() { return {"", "v1", "secrets"}; }
  static GroupVersionResource Deployments() { return {"apps", "v1", "deployments"}; }
  static GroupVersionResource StatefulSets() { return {"apps", "v1", "statefulsets"}; }
  static GroupVersionResource Leases() { return {"coordination.k8s.io", "v1", "leases"}; }
  static GroupVersionResource CustomResourceDefinitions() {
    return {"apiextensions.k8s.io", "v1", "customresourcedefinitions", false};
  }
};

}  // namespace kubeheal::kube
