# shellcheck shell=bash
# Kubeconfigs of the local control planes (hack/control-plane.sh, hack/cluster.sh), data embedded
# so that a file works on its own. The caller sets pki (the CA is $pki/ca.crt).
# shellcheck disable=SC2154  # pki: set by the sourcing script, see above

# kubeconfig_write FILE SERVER NAME USER USER_FIELDS: one cluster and one context, both called NAME,
# and one user USER whose fields are the YAML lines USER_FIELDS (indented by 4). Mode 600, written
# to FILE.tmp first, so a reader never sees half a file.
kubeconfig_write() {
  local file=$1 server=$2 name=$3 user=$4 fields=$5
  (
    umask 077
    cat >"$file.tmp" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: $name
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
- name: $user
  user:
$fields
contexts:
- name: $name
  context:
    cluster: $name
    user: $user
current-context: $name
KUBECONFIG
    mv "$file.tmp" "$file"
  )
}

# kubeconfig_cert_fields NAME: the user fields for client certificate $pki/NAME.crt and its key.
kubeconfig_cert_fields() {
  printf '    client-certificate-data: %s\n    client-key-data: %s' \
    "$(base64 -w0 <"$pki/$1.crt")" "$(base64 -w0 <"$pki/$1.key")"
}
