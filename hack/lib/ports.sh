# shellcheck shell=bash
# Listening ports for the programs hack/ starts. Sourced by hack/cluster.sh,
# hack/control-plane.sh, hack/lib/loopback-stack.sh and hack/k8s/kubelet-probe.sh.
#
# Ports are chosen in 10000-29999: below the kernel's ephemeral range
# (net.ipv4.ip_local_port_range, 32768-60999 by default) and Kubernetes' NodePort range
# (30000-32767). A port from the ephemeral range can be taken, between choosing it and the
# program's bind, as the local end of any outgoing connection (the apiserver's to etcd, a
# health-check curl); the program then dies at startup with "address already in use".

# port_in_use PORT: any TCP or UDP socket on this machine (listening or not) has it as local port.
# grep -c reads all of ss's output: `grep -q` would exit early, and under pipefail the SIGPIPE of
# ss would turn "in use" into "free".
port_in_use() { ss -Htuan "sport = :$1" 2>/dev/null | grep -c . >/dev/null; }

# port_listening PORT: a TCP socket listens on PORT. What a restart on the same port must wait
# for: a program that closed its connections leaves them in TIME_WAIT with PORT as local port for
# 60 s, port_in_use counts those, and bind (SO_REUSEADDR, Go's default) is not blocked by them.
port_listening() { ss -Htln "sport = :$1" 2>/dev/null | grep -c . >/dev/null; }

# free_port [TAKEN...]: prints a port no socket uses and not among TAKEN (ports chosen earlier
# in the same run, not bound yet); fails after 200 tries.
# shellcheck disable=SC2120  # TAKEN... is optional: callers that have chosen no port yet pass none
free_port() {
  local lo top p i
  read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
  top=$((lo <= 30000 ? lo : 30000))
  if ((top < 11000)); then
    echo "free_port: the ephemeral port range starts at $lo; no room below it for fixed ports" >&2
    return 1
  fi
  for ((i = 0; i < 200; i++)); do
    p=$((10000 + RANDOM % (top - 10000)))
    [[ " $* " == *" $p "* ]] && continue
    port_in_use "$p" && continue
    echo "$p"
    return 0
  done
  echo "free_port: no free port in 10000-$((top - 1)) after 200 tries" >&2
  return 1
}
