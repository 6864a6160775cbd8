{{/*
Annotations of the bootstrap's objects: Argo CD runs them in PreSync, before any of the app's
objects, on every sync (Helm runs them before install and upgrade). The service account and the CA
come first (lower wave), then the Job. BeforeHookCreation replaces the previous run's objects.
*/}}
{{- define "phl-store.bootstrapHook" -}}
argocd.argoproj.io/hook: PreSync
argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
argocd.argoproj.io/sync-wave: {{ .wave | quote }}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ .wave | quote }}
helm.sh/hook-delete-policy: before-hook-creation
{{- end -}}

{{- define "phl-store.bootstrapLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: phl-store
app.kubernetes.io/name: phl-db-bootstrap
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
