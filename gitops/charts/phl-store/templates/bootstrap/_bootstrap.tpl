{{/*
Sync waves of the bootstrap's objects: plain resources, not hooks. Argo CD applies a wave and waits
for it to be healthy before the next (a Job is healthy once it completed), so the service account,
CA and NetworkPolicy (-3) come first, then the Job (-2), then the app's early objects (-1: the
ExternalSecret that reads what the Job wrote) and the Deployment (0). Helm installs them as
ordinary objects.
*/}}
{{- define "phl-store.bootstrapWave" -}}
argocd.argoproj.io/sync-wave: {{ .wave | quote }}
{{- end -}}

{{- define "phl-store.bootstrapLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "phl-store.bootstrapPodLabels" . }}
{{- end -}}

{{/* The pod's labels: no chart version, so a chart release alone does not rerun the bootstrap. */}}
{{- define "phl-store.bootstrapPodLabels" -}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: phl-store
app.kubernetes.io/name: phl-db-bootstrap
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The bootstrap image, by digest. */}}
{{- define "phl-store.bootstrapImage" -}}
{{- printf "%s@%s" (required "bootstrap.image.repository is required: the database stack's bootstrap_repository_url output" .Values.bootstrap.image.repository) (required "bootstrap.image.digest is required: the digest tools/image prints" .Values.bootstrap.image.digest) -}}
{{- end -}}

{{/* The bootstrap's arguments (cmd/phl-db-bootstrap), as a JSON list. */}}
{{- define "phl-store.bootstrapArgs" -}}
{{- $b := .Values.bootstrap -}}
{{- $args := list
  (printf "--master-secret=%s" (required "bootstrap.masterSecretArn is required: the database stack's master_secret_arn output" $b.masterSecretArn))
  (printf "--app-secret=%s" .Values.database.appSecretName)
  (printf "--host=%s" (required "bootstrap.host is required: the database stack's writer endpoint" $b.host))
  (printf "--port=%v" $b.port)
  (printf "--database=%s" .Values.database.name)
  (printf "--ca-file=%s" (include "phl-store.caBundlePath" .))
  (printf "--min-rotation-interval=%s" $b.minRotationInterval) -}}
{{- with $b.rotationId }}{{ $args = append $args (printf "--rotation-id=%s" .) }}{{ end -}}
{{- toJson $args -}}
{{- end -}}

{{/*
Name of the bootstrap Job: phl-db-bootstrap-<10 hex of sha256 over its whole rendered pod template>.
The same template gives the same name, so Argo CD finds the completed Job in sync and runs nothing;
a new rotation ID, bootstrap digest, database name, secret, host, resources or security context
gives a new Job, and the old one is pruned. A Job's spec.template is immutable: hashing only some
inputs let any other template change patch the completed Job, which Kubernetes refuses ("field is
immutable") and the sync stalls at this wave (argoproj/argo-cd#7430).
*/}}
{{- define "phl-store.bootstrapJobName" -}}
phl-db-bootstrap-{{ include "phl-store.bootstrapPodTemplate" . | sha256sum | trunc 10 }}
{{- end -}}
