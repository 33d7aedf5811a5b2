# shellcheck shell=bash
# The one place where the Kubernetes and etcd versions are pinned (sourced by hack/ scripts).
# Kubernetes 1.33: the module proxy reachable here serves every k8s.io/<staging> module the
# server commands need at v0.33.13, but not at v0.31.x/v0.32.x (k8s.io/cri-client, kube-proxy,
# kube-scheduler, csi-translation-lib... answer 403). 1.33's kubelet still runs on cgroup v1
# without opting in and still accepts containerd 1.6 (Debian); see hack/k8s/NOTES.md.
KUBEHEAL_K8S_VERSION=${KUBEHEAL_K8S_VERSION:-v1.33.13}
# etcd 3.5.x, the series Kubernetes 1.33 is tested with.
KUBEHEAL_ETCD_VERSION=${KUBEHEAL_ETCD_VERSION:-v3.5.21}
# The Kubernetes commands hack/k8s/build.sh knows how to build (add a command here to build it).
# shellcheck disable=SC2034  # read by hack/k8s/build.sh, which sources this file
KUBEHEAL_K8S_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
