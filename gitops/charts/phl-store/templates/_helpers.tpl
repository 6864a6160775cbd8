{{/* Name of the app's objects: the release name, capped at 63 characters. */}}
{{- define "phl-store.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "phl-store.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: phl-store
{{ include "phl-store.selectorLabels" . }}
{{- end -}}

{{/* Labels that select the app's pods. */}}
{{- define "phl-store.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The app image: registry/repository, by digest when one is given, else by tag. */}}
{{- define "phl-store.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.registry }}/{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.registry }}/{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/* Container security context for Pod Security "restricted". */}}
{{- define "phl-store.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* Name of the ConfigMap holding the RDS CA bundle (in the app's and the bootstrap's namespace). */}}
{{- define "phl-store.caBundleName" -}}
{{ include "phl-store.fullname" . }}-rds-ca
{{- end -}}

{{/* Where the RDS CA bundle is mounted; SSL_CERT_FILE points Go's TLS roots at it. */}}
{{- define "phl-store.caBundlePath" -}}
/etc/ssl/rds/ca.pem
{{- end -}}

{{/*
Labels of the helm test pod: no key=value pair in common with the app's selector labels, so no
Service, ReplicaSet or app NetworkPolicy selects it, and the test's egress selector (the app's
labels) never matches its own source pod: the VPC CNI network policy agent has a reported drop when
an egress selector matches the source pod's labels (issue 17).
*/}}
{{- define "phl-store.testSelectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}-test
app.kubernetes.io/instance: {{ .Release.Name }}-test
{{- end -}}

{{/*
Argo CD applies these one wave before the Deployment and waits for them: the config Secret exists
before the first pod starts, and the TargetGroupBinding exists before pods are created, so the
Load Balancer Controller's webhook gives every pod its readiness gate.
*/}}
{{- define "phl-store.earlyWave" -}}
argocd.argoproj.io/sync-wave: "-1"
{{- end -}}
