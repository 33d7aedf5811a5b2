{{/* Chart name, truncated to 63 characters (a DNS label). */}}
{{- define "kubeheal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name used as the prefix of every resource. */}}
{{- define "kubeheal.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "kubeheal.operatorName" -}}
{{- printf "%s-operator" (include "kubeheal.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kubeheal.prometheusName" -}}
{{- printf "%s-prometheus" (include "kubeheal.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kubeheal.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "kubeheal.labels" -}}
helm.sh/chart: {{ include "kubeheal.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kubeheal
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of the operator pods. */}}
{{- define "kubeheal.operatorSelectorLabels" -}}
app.kubernetes.io/name: kubeheal-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kubeheal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kubeheal.operatorName" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Name of the Secret holding the agent token in the release namespace. */}}
{{- define "kubeheal.agentTokenSecret" -}}
{{- default .Values.agentToken.secretName .Values.agentToken.existingSecret }}
{{- end }}

{{/* The Prometheus URL the operator queries. */}}
{{- define "kubeheal.prometheusURL" -}}
{{- if .Values.operator.prometheusURL }}
{{- .Values.operator.prometheusURL }}
{{- else if .Values.prometheus.enabled }}
{{- printf "http://%s.%s.svc:%d" (include "kubeheal.prometheusName" .) .Release.Namespace (int .Values.prometheus.service.port) }}
{{- else }}
{{- "http://prometheus-operated.monitoring.svc:9090" }}
{{- end }}
{{- end }}

{{/* "true" when the Prometheus Operator objects should be rendered. */}}
{{- define "kubeheal.prometheusOperator" -}}
{{- $mode := toString .Values.monitoring.prometheusOperator }}
{{- if eq $mode "true" }}true
{{- else if and (eq $mode "auto") (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") }}true
{{- end }}
{{- end }}

{{/* Image of a kubeheal component: <registry>kubeheal/<name>:<tag>. */}}
{{- define "kubeheal.sampleImage" -}}
{{- printf "%skubeheal/%s:%s" .root.Values.samples.image.registry .name .root.Values.samples.image.tag }}
{{- end }}

{{/*
The Prometheus rule groups, shared by the PrometheusRule and the bundled Prometheus' rule file,
so both evaluate exactly the same rules. Metric names are the agent's (agent/API.md) and the
operator's. The service label is app_kubernetes_io_name, which the usual `labelmap` of pod labels
(and the bundled Prometheus / PodMonitor relabelling) produce from app.kubernetes.io/name.
*/}}
{{- define "kubeheal.ruleGroups" -}}
{{- $r := .Values.monitoring.rules }}
{{- $budget := printf "(1 - %v / 100)" $r.sloObjective }}
{{- $extra := $r.additionalAlertLabels }}
- name: kubeheal-sli.rules
  interval: 30s
  rules:
{{- range $w := list "5m" "30m" "1h" "2h" "6h" "1d" }}
    - record: kubeheal:http_error_ratio:rate{{ $w }}
      expr: |-
        sum by (namespace, app_kubernetes_io_name) (rate(http_requests_total{code=~"5.."}[{{ $w }}]))
          /
        clamp_min(sum by (namespace, app_kubernetes_io_name) (rate(http_requests_total[{{ $w }}])), 1e-9)
{{- end }}
    - record: kubeheal:http_request_duration_seconds:p99_5m
      expr: histogram_quantile(0.99, sum by (namespace, app_kubernetes_io_name, le) (rate(http_request_duration_seconds_bucket[5m])))
- name: kubeheal-slo.alerts
  rules:
{{- range $a := list (list "KubehealErrorBudgetBurnFast" "1h" "5m" 14.4 "2m" "critical") (list "KubehealErrorBudgetBurnMedium" "6h" "30m" 6.0 "15m" "critical") (list "KubehealErrorBudgetBurnSlow" "1d" "2h" 3.0 "1h" "warning") }}
    - alert: {{ index $a 0 }}
      expr: |-
        kubeheal:http_error_ratio:rate{{ index $a 1 }} > ({{ index $a 3 }} * {{ $budget }})
          and
        kubeheal:http_error_ratio:rate{{ index $a 2 }} > ({{ index $a 3 }} * {{ $budget }})
      for: {{ index $a 4 }}
      labels:
        severity: {{ index $a 5 }}
        {{- with $extra }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: '{{ "{{ $labels.namespace }}/{{ $labels.app_kubernetes_io_name }}" }} burns its error budget {{ index $a 3 }}x too fast'
        description: 'The error ratio over {{ index $a 1 }} and {{ index $a 2 }} exceeds {{ index $a 3 }} times the budget of a {{ $r.sloObjective }}% objective (current {{ "{{ $value | humanizePercentage }}" }}).'
{{- end }}
- name: kubeheal-red.alerts
  rules:
    - alert: KubehealHighErrorRate
      expr: kubeheal:http_error_ratio:rate5m > {{ $r.errorRateThreshold }}
      for: 5m
      labels:
        severity: warning
        {{- with $extra }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: '{{ "{{ $labels.namespace }}/{{ $labels.app_kubernetes_io_name }}" }} answers {{ "{{ $value | humanizePercentage }}" }} of requests with 5xx'
        description: 'The 5-minute 5xx ratio has been above {{ $r.errorRateThreshold }} for 5 minutes.'
    - alert: KubehealHighLatencyP99
      expr: kubeheal:http_request_duration_seconds:p99_5m > {{ $r.latencyP99Threshold }}
      for: 10m
      labels:
        severity: warning
        {{- with $extra }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: '{{ "{{ $labels.namespace }}/{{ $labels.app_kubernetes_io_name }}" }} p99 latency is {{ "{{ $value | humanizeDuration }}" }}'
        description: 'The 5-minute p99 request duration has been above {{ $r.latencyP99Threshold }}s for 10 minutes.'
    - alert: KubehealMemoryGrowth
      expr: |-
        min_over_time(deriv(process_resident_memory_bytes{kubeheal_io_agent="true"}[10m])[30m:1m]) > {{ $r.memoryGrowthBytesPerSecond }}
      for: 15m
      labels:
        severity: warning
        {{- with $extra }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: 'Memory of {{ "{{ $labels.namespace }}/{{ $labels.pod }}" }} grows without pause'
        description: 'Resident memory has grown in every 10-minute window of the last 30 minutes (at least {{ $r.memoryGrowthBytesPerSecond }} B/s): a leak; kubeheal restarts before exhaustion if a policy watches it.'
- name: kubeheal-operator.alerts
  rules:
    - alert: KubehealOperatorDown
      expr: absent(up{app_kubernetes_io_name="kubeheal-operator"} == 1)
      for: 5m
      labels:
        severity: critical
        {{- with $extra }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: No kubeheal operator is up
        description: 'Prometheus has not scraped a healthy kubeheal operator for 5 minutes: nothing heals the workloads.'
    - alert: KubehealActionsFailing
      expr: sum by (namespace, action) (increase(kubeheal_actions_total{result="failed"}[15m])) > 0
      for: 0m
      labels:
        severity: warning
        {{- with $extra }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: 'kubeheal {{ "{{ $labels.action }}" }} actions fail'
        description: 'At least one {{ "{{ $labels.action }}" }} action failed in the last 15 minutes; see the HealingPolicy status and Events.'
    - alert: KubehealReconcileErrors
      expr: sum by (controller) (rate(kubeheal_reconcile_total{result="error"}[10m])) > 0.1
      for: 10m
      labels:
        severity: warning
        {{- with $extra }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: 'kubeheal {{ "{{ $labels.controller }}" }} reconciles keep failing'
        description: 'More than one reconcile error every 10 seconds for 10 minutes; see the operator logs.'
{{- end }}

{{/*
The operator's RBAC rules (ClusterRole, or Role per watched namespace): exactly the calls of
operator/controllers (KubeOperations -> kube_client_operations.cc), operator/kube (informers,
EventRecorder) and operator/cmd, verb by verb:
- informers (list + watch) on healingpolicies, faultscenarios, pods, deployments and
  statefulsets: their caches serve the reads; get (and list for pods) is the fallback until a
  cache has synced and right after the operator's own write (read-your-writes);
- healingpolicies, faultscenarios: patch (merge patch of metadata: the FaultScenario finalizer,
  annotations); their /status: update (PUT with the resourceVersion read);
- deployments, statefulsets: patch (rolling restart annotation);
- their /scale: get + patch (scale actions, trafficSpike scales the traffic generator);
- pods: delete (podKill, one-pod restart without eviction);
  pods/eviction: create (one-pod restart that honours PodDisruptionBudgets);
- events (core/v1): create, and patch to count a repeated event;
- secrets: get of the agent token Secret only, by name (agentToken.secretName, default
  kubeheal-agent-token: the name the operator reads in a target's namespace, passed to it as
  --agent-token-secret; each namespace's token serves only that namespace; see "Agent tokens"
  in README.md).
Nothing else: no update of the custom resources or workloads, no create/delete of workloads,
no exec, no other Secret, no cluster-scoped resource. The Lease is in a Role of its own.

Two halves: observing (read the objects, write the kubeheal resources' status and Events) and
acting (restart, scale, kill or evict pods, read the agent token). With
operator.actionNamespaces the acting half is granted only in those namespaces (a Role each),
so the operator cannot patch a Deployment, evict a pod or read a token anywhere else, and it is
started with --action-namespaces so it does not try.
*/}}
{{- define "kubeheal.operatorObserveRules" -}}
- apiGroups: [kubeheal.io]
  resources: [healingpolicies, faultscenarios]
  verbs: [get, list, watch, patch]
- apiGroups: [kubeheal.io]
  resources: [healingpolicies/status, faultscenarios/status]
  verbs: [update]
- apiGroups: [apps]
  resources: [deployments, statefulsets]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [pods]
  verbs: [list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- end }}
{{- define "kubeheal.operatorActRules" -}}
- apiGroups: [apps]
  resources: [deployments, statefulsets]
  verbs: [patch]
- apiGroups: [apps]
  resources: [deployments/scale, statefulsets/scale]
  verbs: [get, patch]
- apiGroups: [""]
  resources: [pods]
  verbs: [delete]
- apiGroups: [""]
  resources: [pods/eviction]
  verbs: [create]
{{- if .Values.rbac.agentTokenSecretAccess }}
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [{{ .Values.agentToken.secretName | quote }}]
  verbs: [get]
{{- end }}
{{- end }}
{{- define "kubeheal.operatorRules" -}}
{{ include "kubeheal.operatorObserveRules" . }}
{{ include "kubeheal.operatorActRules" . }}
{{- end }}

{{/*
The agent token: the given value, else the one already stored in the cluster (lookup, so that
`helm upgrade` keeps it), else a new random one. `helm template` has no cluster: it renders a
random token (each render differs, which is fine for a dry run).
Memoised in .Values so every template of one render sees the same token.
*/}}
{{- define "kubeheal.agentTokenValue" -}}
{{- if .Values.agentToken.token }}
{{- .Values.agentToken.token }}
{{- else }}
{{- $cache := .Values.agentToken }}
{{- if not (hasKey $cache "_generated") }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "kubeheal.agentTokenSecret" .) }}
{{- if and $existing $existing.data (hasKey $existing.data "token") }}
{{- $_ := set $cache "_generated" (index $existing.data "token" | b64dec) }}
{{- else }}
{{- $_ := set $cache "_generated" (randAlphaNum 48) }}
{{- end }}
{{- end }}
{{- index $cache "_generated" }}
{{- end }}
{{- end }}

{{/*
The agent token of a namespace of agentToken.namespaces (args: dict "root" $ "namespace" NS):
the one already stored there (lookup), else a new random one; never the release namespace's.
Memoised per namespace in .Values like kubeheal.agentTokenValue.
*/}}
{{- define "kubeheal.namespaceAgentTokenValue" -}}
{{- $root := .root }}
{{- $cache := $root.Values.agentToken }}
{{- if not (hasKey $cache "_generatedByNamespace") }}
{{- $_ := set $cache "_generatedByNamespace" (dict) }}
{{- end }}
{{- $byNs := index $cache "_generatedByNamespace" }}
{{- if not (hasKey $byNs .namespace) }}
{{- $existing := lookup "v1" "Secret" .namespace $root.Values.agentToken.secretName }}
{{- if and $existing $existing.data (hasKey $existing.data "token") }}
{{- $_ := set $byNs .namespace (index $existing.data "token" | b64dec) }}
{{- else }}
{{- $_ := set $byNs .namespace (randAlphaNum 48) }}
{{- end }}
{{- end }}
{{- index $byNs .namespace }}
{{- end }}

{{/* Container security context of the restricted Pod Security Standard (user 65532). */}}
{{- define "kubeheal.restrictedContainerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 65532
capabilities: {drop: [ALL]}
seccompProfile: {type: RuntimeDefault}
{{- end }}

{{/*
The kubeheal agent sidecar container (see README "Adding the agent to your own Deployment").
Args: dict "root" $ "resources" <resources>.
*/}}
{{- define "kubeheal.agentSidecar" -}}
- name: kubeheal-agent
  image: {{ include "kubeheal.sampleImage" (dict "root" .root "name" "agent") }}
  imagePullPolicy: {{ .root.Values.samples.image.pullPolicy }}
  args:
    - --listen=0.0.0.0:8080
    - --upstream=127.0.0.1:8081
    - --admin=0.0.0.0:9901
    - --token-file=/var/run/kubeheal/agent-token/token
  ports:
    - {name: http, containerPort: 8080, protocol: TCP}
    - {name: kubeheal-admin, containerPort: 9901, protocol: TCP}
  readinessProbe:
    httpGet: {path: /readyz, port: kubeheal-admin}
    periodSeconds: 5
  livenessProbe:
    httpGet: {path: /healthz, port: kubeheal-admin}
    periodSeconds: 10
  resources:
    {{- toYaml .resources | nindent 4 }}
  securityContext:
    {{- include "kubeheal.restrictedContainerSecurity" .root | nindent 4 }}
  volumeMounts:
    - name: kubeheal-agent-token
      mountPath: /var/run/kubeheal/agent-token
      readOnly: true
{{- end }}

{{- define "kubeheal.agentTokenVolume" -}}
- name: kubeheal-agent-token
  secret:
    secretName: {{ include "kubeheal.agentTokenSecret" . }}
    defaultMode: 0444
{{- end }}
