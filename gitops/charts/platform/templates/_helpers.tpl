{{/* Labels on every object of the chart. */}}
{{- define "platform.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: phl-platform
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
phl.platform/environment: {{ .Values.environment | quote }}
{{- end -}}

{{/*
Namespaces the components run in. Fixed, not values: the cluster stack associates the
controllers' Pod Identity roles with these service accounts (constructs/cluster/controllers.go:
kube-system/aws-load-balancer-controller, kube-system/karpenter, external-secrets/external-secrets)
and the database stack the bootstrap's (phl-db-bootstrap/db-bootstrap).
*/}}
{{- define "platform.ns.system" -}}kube-system{{- end -}}
{{- define "platform.ns.externalSecrets" -}}external-secrets{{- end -}}
{{- define "platform.ns.reloader" -}}reloader{{- end -}}
{{- define "platform.ns.phlStore" -}}phl-store{{- end -}}
{{- define "platform.ns.bootstrap" -}}phl-db-bootstrap{{- end -}}

{{/* Every namespace an Application deploys to: the AppProject's destinations. */}}
{{- define "platform.destinationNamespaces" -}}
{{- list .Release.Namespace (include "platform.ns.system" .) (include "platform.ns.externalSecrets" .) (include "platform.ns.reloader" .) (include "platform.ns.phlStore" .) (include "platform.ns.bootstrap" .) | toJson -}}
{{- end -}}

{{/*
Metadata of a component's Application: in Argo CD's namespace, its sync wave, and the resources
finalizer (deleting the Application deletes what it deployed; the root Application deletes its
children in reverse wave order, controller/sort_delete.go).
Call with (dict "root" $ "name" "..." "wave" N).
*/}}
{{- define "platform.applicationMetadata" -}}
name: {{ .name }}
namespace: {{ .root.Release.Namespace }}
labels:
  {{- include "platform.labels" .root | nindent 2 }}
  phl.platform/component: {{ .name }}
annotations:
  argocd.argoproj.io/sync-wave: {{ .wave | quote }}
finalizers:
  - {{ include "platform.finalizer" .root }}
{{- end -}}

{{/*
The cascading-deletion finalizer, in its path-qualified form (foreground propagation, the same as
the bare resources-finalizer.argocd.argoproj.io, which Kubernetes 1.35 warns about). Argo CD
2.14 and 3.x both recognise it (pkg/apis/application/v1alpha1: ForegroundPropagationPolicyFinalizer).
*/}}
{{- define "platform.finalizer" -}}
resources-finalizer.argocd.argoproj.io/foreground
{{- end -}}

{{/* Where a component goes. Call with (dict "root" $ "namespace" "..."). */}}
{{- define "platform.destination" -}}
server: {{ .root.Values.argocd.server }}
namespace: {{ .namespace }}
{{- end -}}

{{/*
Sync policy of every Application: automated with prune and self-heal, retried with exponential
backoff (argocd.retry, or "retry" when given). Call with (dict "root" $ "options" (list ...)
"namespaceLabels" (dict ...) "retry" (dict ...)); namespace labels apply only with
CreateNamespace=true (Argo CD managedNamespaceMetadata).
*/}}
{{- define "platform.syncPolicy" -}}
automated:
  prune: true
  selfHeal: true
retry:
  {{- toYaml (.retry | default .root.Values.argocd.retry) | nindent 2 }}
{{- with .options }}
syncOptions:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .namespaceLabels }}
managedNamespaceMetadata:
  labels:
    {{- toYaml . | nindent 4 }}
{{- end }}
{{- end -}}

{{/* Pod Security labels of a namespace Argo CD creates: restricted, enforced, warned and audited. */}}
{{- define "platform.restrictedNamespaceLabels" -}}
{{- dict "pod-security.kubernetes.io/enforce" "restricted" "pod-security.kubernetes.io/warn" "restricted" "pod-security.kubernetes.io/audit" "restricted" | toJson -}}
{{- end -}}

{{/* A chart of this repository: the source of the local components. Call with (dict "root" $ "chart" "..."). */}}
{{- define "platform.localSource" -}}
repoURL: {{ .root.Values.repoURL | quote }}
targetRevision: {{ .root.Values.targetRevision | quote }}
path: gitops/charts/{{ .chart }}
{{- end -}}

{{/*
The label of the managed node group's nodes (constructs/cluster/nodes.go: phl.platform/node-class
critical). Every platform controller selects it, so none lands on a node Karpenter launches
(Karpenter's NodePools label theirs phl.platform/node-class=karpenter).
*/}}
{{- define "platform.criticalNodeSelector" -}}
phl.platform/node-class: critical
{{- end -}}

{{/* The toleration of the critical node group's taint (CriticalAddonsOnly=true:NoSchedule in prod). */}}
{{- define "platform.criticalToleration" -}}
- key: CriticalAddonsOnly
  operator: Exists
  effect: NoSchedule
{{- end -}}

{{/*
The required values, checked once before anything renders, and that every ARN is in the
environment's account and region (a value from another environment's stack fails here instead of
at sync time).
*/}}
{{- define "platform.validate" -}}
{{- $v := .Values -}}
{{- $_ := required "environment is required: dev or prod" $v.environment -}}
{{- $_ := required "repoURL is required: the Git repository Argo CD reads the charts from" $v.repoURL -}}
{{- $_ := required "targetRevision is required: the branch, tag or commit to deploy" $v.targetRevision -}}
{{- $account := required "aws.accountId is required" $v.aws.accountId -}}
{{- $region := required "aws.region is required" $v.aws.region -}}
{{- $_ := required "cluster.name is required: the cluster stack's cluster name" $v.cluster.name -}}
{{- $_ := required "cluster.vpcId is required: the network stack's VPC ID" $v.cluster.vpcId -}}
{{- $_ := required "karpenter.queueName is required: the cluster stack's interruption queue" $v.karpenter.queueName -}}
{{- $_ := required "karpenter.nodeRoleName is required: the cluster stack's Karpenter node role" $v.karpenter.nodeRoleName -}}
{{- $_ := required "phlStore.appSecretName is required: the database stack's app_secret_name output" $v.phlStore.appSecretName -}}
{{- $_ := required "phlStore.vpcCidr is required: the network stack's VPC CIDR" $v.phlStore.vpcCidr -}}
{{- $_ := required "phlStore.caBundle is required: the RDS CA bundle of the region" $v.phlStore.caBundle -}}
{{- $_ := required "phlStore.bootstrap.repository is required: the database stack's bootstrap repository URL" $v.phlStore.bootstrap.repository -}}
{{- $_ := required "phlStore.bootstrap.digest is required: the bootstrap image digest" $v.phlStore.bootstrap.digest -}}
{{- $_ := required "phlStore.bootstrap.host is required: the database's writer endpoint" $v.phlStore.bootstrap.host -}}
{{- if not $v.phlStore.databaseSubnetCidrs }}{{ fail "phlStore.databaseSubnetCidrs is required: the network stack's database subnet CIDRs" }}{{ end -}}
{{- $arns := dict
  "cluster.kmsKeyArn" $v.cluster.kmsKeyArn
  "phlStore.targetGroupArn" $v.phlStore.targetGroupArn
  "phlStore.bootstrap.masterSecretArn" $v.phlStore.bootstrap.masterSecretArn -}}
{{- range $key, $arn := $arns }}
{{- $_ := required (printf "%s is required" $key) $arn -}}
{{- if not (contains (printf ":%s:%s:" $region $account) $arn) }}
{{- fail (printf "%s (%s) is not in account %s and region %s (aws.accountId, aws.region)" $key $arn $account $region) }}
{{- end }}
{{- end -}}
{{- if not (hasPrefix (printf "%s.dkr.ecr.%s." $account $region) $v.phlStore.bootstrap.repository) }}
{{- fail (printf "phlStore.bootstrap.repository (%s) is not an ECR repository of account %s in %s" $v.phlStore.bootstrap.repository $account $region) }}
{{- end -}}
{{- end -}}
