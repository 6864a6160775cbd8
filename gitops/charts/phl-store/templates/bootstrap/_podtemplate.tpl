{{/*
The bootstrap Job's pod template (spec.template). Rendered once for the Job and once for its name
(phl-store.bootstrapJobName), so the name changes whenever anything in it does.
*/}}
{{- define "phl-store.bootstrapPodTemplate" -}}
metadata:
  labels:
    {{- include "phl-store.bootstrapPodLabels" . | nindent 4 }}
spec:
  serviceAccountName: {{ .Values.bootstrap.serviceAccount }}
  # Pod Identity injects its own projected token; the pod needs no Kubernetes API token.
  automountServiceAccountToken: false
  restartPolicy: Never
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: bootstrap
      image: {{ include "phl-store.bootstrapImage" . | quote }}
      imagePullPolicy: IfNotPresent
      args:
        {{- include "phl-store.bootstrapArgs" . | fromJsonArray | toYaml | nindent 8 }}
      resources:
        requests:
          cpu: 50m
          memory: 32Mi
        limits:
          memory: 64Mi
      securityContext:
        {{- include "phl-store.containerSecurityContext" . | nindent 8 }}
      volumeMounts:
        - name: rds-ca
          mountPath: /etc/ssl/rds
          readOnly: true
  volumes:
    - name: rds-ca
      configMap:
        name: {{ include "phl-store.caBundleName" . }}
{{- end -}}
