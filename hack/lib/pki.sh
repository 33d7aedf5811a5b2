# shellcheck shell=bash
# Certificates and keys of the local control planes (hack/control-plane.sh, hack/cluster.sh): one
# CA per state dir, ECDSA P-256 keys for everything (ten RSA-2048 keys took ~17 s on the busy
# 2-core machine), SHA-256 signatures, valid ten years. The caller sets pki (the directory, kept
# between runs so that kubeconfigs written earlier stay valid) and defines say.
# shellcheck disable=SC2154  # pki: set by the sourcing script, see above

pki_new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# Extensions of a client certificate (the user is the subject: O = group, CN = name).
pki_client_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"

# pki_server_ext SUBJECT_ALT_NAMES: extensions of a serving certificate for those names.
pki_server_ext() {
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=$1"
}

# pki_init CA_NAME: an empty $pki (mode 700) holding a new CA, ca.key and ca.crt (CN CA_NAME).
pki_init() {
  rm -rf "$pki"
  mkdir -p "$pki"
  chmod 700 "$pki"
  pki_new_key "$pki/ca.key"
  openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=$1" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$pki/ca.crt" 2>/dev/null
}

# pki_sign NAME SUBJECT EXTENSIONS: NAME.key and NAME.crt, signed by the CA.
pki_sign() {
  local name=$1 subject=$2 ext=$3
  pki_new_key "$pki/$name.key"
  openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}

# pki_control_plane EXTRA_SANS: what etcd + kube-apiserver need. apiserver.crt serves 127.0.0.1,
# localhost, the kubernetes Service names and EXTRA_SANS (e.g. "IP:10.96.0.1"); admin.crt is
# kubeheal-admin in system:masters; apiserver-kubelet-client.crt is the apiserver's client of the
# kubelets; sa.key/sa.pub sign and verify service-account tokens.
pki_control_plane() {
  local sans="IP:127.0.0.1,$1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  pki_sign apiserver "/CN=kube-apiserver" "$(pki_server_ext "$sans")"
  pki_sign admin "/O=system:masters/CN=kubeheal-admin" "$pki_client_ext"
  pki_sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$pki_client_ext"
  pki_new_key "$pki/sa.key"
  openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
}
