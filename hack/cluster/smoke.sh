#!/usr/bin/env bash
# Smoke test of a running cluster (hack/cluster.sh up + load-images, or any cluster that has
# kubeheal/users:dev and kubeheal/loadgen:dev): a users Deployment + ClusterIP Service in a
# fresh namespace; checks pod IP and ClusterIP from the host (local cluster only) and, from
# another pod, the Service by short name and by FQDN (cluster DNS + kube-proxy). Prints the time
# of each step; exits non-zero naming the failed check. Removes its namespace at the end.
#   usage: hack/cluster/smoke.sh [--no-host]    (--no-host: skip the host checks, e.g. on kind)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
host_checks=1
[[ ${1:-} == --no-host ]] && host_checks=0
if [[ -z ${KUBECONFIG:-} ]]; then eval "$("$repo/hack/cluster.sh" env)"; fi
ns=kh-smoke-$RANDOM
t0=$SECONDS
say() { echo "[smoke $(printf '%3d' $((SECONDS - t0)))s] $*" >&2; }
fail() { say "FAILED: $*"; kubectl -n "$ns" get pods -o wide >&2 || true; kubectl -n "$ns" get events >&2 || true; exit 1; }
trap 'kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true' EXIT
kubectl create namespace "$ns" >/dev/null
kubectl -n "$ns" apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: users}
spec:
  replicas: 1
  selector: {matchLabels: {app: users}}
  template:
    metadata: {labels: {app: users}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: kubeheal/users:dev
        imagePullPolicy: Never
        args: [--listen=0.0.0.0:8081]
        readinessProbe: {httpGet: {path: /health, port: 8081}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: users}
spec:
  selector: {app: users}
  ports: [{port: 8080, targetPort: 8081}]
YAML
ready=""
for _ in $(seq 240); do
  reason=$(kubectl -n "$ns" get pod -l app=users -o jsonpath='{.items[0].status.containerStatuses[0].state.waiting.reason}' 2>/dev/null || true)
  [[ $reason == ErrImageNeverPull ]] && fail "image kubeheal/users:dev is not in the cluster (hack/cluster.sh load-images)"
  ready=$(kubectl -n "$ns" get pod -l app=users -o jsonpath='{.items[0].status.containerStatuses[0].ready}' 2>/dev/null || true)
  [[ $ready == true ]] && break
  sleep 0.5
done
[[ $ready == true ]] || fail "users pod not Ready within 120 s"
pod_ip=$(kubectl -n "$ns" get pod -l app=users -o jsonpath='{.items[0].status.podIP}')
svc_ip=$(kubectl -n "$ns" get svc users -o jsonpath='{.spec.clusterIP}')
say "users pod Ready at $pod_ip, Service users at $svc_ip"
if ((host_checks)); then
  curl -fsS -m 5 "http://$pod_ip:8081/health" >/dev/null || fail "host -> pod IP $pod_ip:8081/health"
  say "host -> pod IP: /health ok"
  ok=0
  for _ in $(seq 20); do curl -fsS -m 2 "http://$svc_ip:8080/health" >/dev/null 2>&1 && { ok=1; break; }; sleep 0.5; done
  ((ok)) || fail "host -> ClusterIP $svc_ip:8080/health (kube-proxy)"
  say "host -> ClusterIP: /health ok"
fi
kubectl -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  restartPolicy: Never
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: kubeheal/loadgen:dev
    imagePullPolicy: Never
    args: [health, --timeout, 3s, --services, "short=http://users:8080,fqdn=http://users.$ns.svc.cluster.local:8080,clusterip=http://$svc_ip:8080"]
YAML
phase=""
for _ in $(seq 120); do
  phase=$(kubectl -n "$ns" get pod client -o jsonpath='{.status.phase}')
  [[ $phase == Succeeded || $phase == Failed ]] && break
  sleep 0.5
done
kubectl -n "$ns" logs client >&2 || true
[[ $phase == Succeeded ]] || fail "pod -> Service by short name, FQDN and ClusterIP (client pod phase '$phase')"
say "pod -> Service (short name, FQDN, ClusterIP): ok"
say "PASSED"
