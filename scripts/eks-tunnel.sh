#!/usr/bin/env bash
# A tunnel to an environment's private EKS API endpoint, for `cdktf deploy <env>-gitops` from a
# laptop or CI without opening the endpoint to the internet: an SSM port-forward
# (AWS-StartPortForwardingSessionToRemoteHost) through one of the cluster's own nodes, which
# run the SSM agent (Bottlerocket's control container) and may reach the endpoint on 443.
#
# Usage: scripts/eks-tunnel.sh <cluster-name> <region> [local-port]   (default port 8443)
# Prints the TF_VAR_kube_api_host line to export, then keeps the tunnel up until killed.
#   scripts/eks-tunnel.sh phl-dev ap-southeast-1 & sleep 15
#   TF_VAR_kube_api_host=https://127.0.0.1:8443 npx cdktf deploy dev-gitops --ignore-missing-stack-dependencies
# The Helm provider keeps the endpoint's name for TLS (tls_server_name), so the API server's
# certificate is still verified through 127.0.0.1.
# Needs: the AWS CLI v2 and the session-manager-plugin; ssm:StartSession on the node and the
# document, ssm:DescribeInstanceInformation, eks:DescribeCluster, ec2:DescribeInstances (docs/gitops.md).
set -euo pipefail
cluster=${1:?usage: scripts/eks-tunnel.sh <cluster-name> <region> [local-port]}
region=${2:?usage: scripts/eks-tunnel.sh <cluster-name> <region> [local-port]}
port=${3:-8443}
command -v session-manager-plugin >/dev/null || { echo "error: session-manager-plugin is not installed (AWS docs: Install the Session Manager plugin for the AWS CLI)" >&2; exit 1; }

endpoint=$(aws eks describe-cluster --region "$region" --name "$cluster" --query cluster.endpoint --output text)
host=${endpoint#https://}
# A running node of the cluster's managed node group (EKS tags those instances eks:cluster-name;
# Karpenter's carry eks:eks-cluster-name), whose SSM agent is online.
nodes=$(aws ec2 describe-instances --region "$region" \
  --filters "Name=tag:eks:cluster-name,Values=$cluster" "Name=instance-state-name,Values=running" \
  --query 'Reservations[].Instances[].InstanceId' --output text)
node=""
for id in $nodes; do
  if [ "$(aws ssm describe-instance-information --region "$region" --filters "Key=InstanceIds,Values=$id" \
        --query 'InstanceInformationList[0].PingStatus' --output text)" = Online ]; then node=$id; break; fi
done
[ -n "$node" ] || { echo "error: no running node of $cluster in $region is online in SSM to tunnel through" >&2; exit 1; }

echo "tunnel: 127.0.0.1:$port -> $host:443 through $node" >&2
echo "export TF_VAR_kube_api_host=https://127.0.0.1:$port"
exec aws ssm start-session --region "$region" --target "$node" \
  --document-name AWS-StartPortForwardingSessionToRemoteHost \
  --parameters "host=$host,portNumber=443,localPortNumber=$port"
