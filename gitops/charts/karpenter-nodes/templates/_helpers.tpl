{{/* Labels on every object of the chart. */}}
{{- define "karpenter-nodes.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: phl-platform
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The cluster's name, required: it selects the subnets and the security group. */}}
{{- define "karpenter-nodes.clusterName" -}}
{{ required "clusterName is required: the EKS cluster's name (the karpenter.sh/discovery tag value)" .Values.clusterName }}
{{- end -}}

{{/*
The requirements both NodePools share: what instances may be launched. Each pool adds its
capacity type. The karpenter.k8s.aws keys are the well-known labels Karpenter discovers.
*/}}
{{- define "karpenter-nodes.requirements" -}}
- key: kubernetes.io/os
  operator: In
  values: ["linux"]
- key: kubernetes.io/arch
  operator: In
  values: {{ toJson .Values.nodePools.architectures }}
- key: karpenter.k8s.aws/instance-category
  operator: In
  values: {{ toJson .Values.nodePools.instanceCategories }}
- key: karpenter.k8s.aws/instance-generation
  operator: Gt
  values: [{{ .Values.nodePools.instanceGenerationGreaterThan | toString | quote }}]
{{- with .Values.nodePools.excludedInstanceSizes }}
- key: karpenter.k8s.aws/instance-size
  operator: NotIn
  values: {{ toJson . }}
{{- end }}
{{- end -}}

{{/* An EBS volume of the node class: gp3, encrypted with the cluster's key. */}}
{{- define "karpenter-nodes.volume" -}}
volumeSize: {{ .size }}
volumeType: gp3
encrypted: true
kmsKeyID: {{ .kmsKeyArn | quote }}
deleteOnTermination: true
{{- end -}}
