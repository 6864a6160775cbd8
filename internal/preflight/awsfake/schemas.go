package awsfake

// AddonSchemas are configuration schemas in the shape EKS publishes them
// (DescribeAddonConfiguration): draft-07, a $ref to definitions, additionalProperties false,
// string-typed flags with EKS's non-standard "format": "boolean"/"integer". They are a small
// subset of the real ones: enough keys for the platform's configuration, and strict
// everywhere, so an unknown key fails as it does on EKS.
var AddonSchemas = map[string]string{
	"vpc-cni":                         vpcCNISchema,
	"coredns":                         genericSchema(`"replicaCount":{"type":"integer"},"corefile":{"type":"string"}`),
	"kube-proxy":                      genericSchema(`"mode":{"enum":["iptables","ipvs","nftables"],"type":"string"}`),
	"eks-pod-identity-agent":          genericSchema(`"agent":{"additionalProperties":false,"properties":{"additionalArgs":{"type":"object"}},"type":"object"}`),
	"aws-ebs-csi-driver":              genericSchema(`"controller":{"type":"object"},"node":{"type":"object"},"defaultStorageClass":{"type":"object"}`),
	"amazon-cloudwatch-observability": genericSchema(`"agent":{"type":"object"},"containerLogs":{"type":"object"},"manager":{"type":"object"}`),
}

func genericSchema(props string) string {
	return `{"$ref":"#/definitions/Addon","$schema":"http://json-schema.org/draft-07/schema#","definitions":{"Addon":{"additionalProperties":false,"properties":{` +
		props + `,"resources":{"$ref":"#/definitions/Resources"},"tolerations":{"items":{"type":"object"},"type":"array"},"nodeSelector":{"additionalProperties":{"type":"string"},"type":"object"}},"type":"object"},` +
		`"Resources":{"additionalProperties":false,"properties":{"limits":{"type":"object"},"requests":{"type":"object"}},"type":"object"}}}`
}

const vpcCNISchema = `{
  "$ref": "#/definitions/VpcCni",
  "$schema": "http://json-schema.org/draft-07/schema#",
  "definitions": {
    "EniConfig": {
      "additionalProperties": false,
      "properties": {
        "create": {"type": "boolean"},
        "region": {"type": "string"},
        "subnets": {
          "additionalProperties": {
            "additionalProperties": false,
            "properties": {
              "id": {"pattern": "^subnet-[0-9a-f]+$", "type": "string"},
              "securityGroups": {"items": {"pattern": "^sg-[0-9a-f]+$", "type": "string"}, "type": "array"}
            },
            "required": ["id"],
            "type": "object"
          },
          "type": "object"
        }
      },
      "type": "object"
    },
    "Env": {
      "additionalProperties": false,
      "properties": {
        "ADDITIONAL_ENI_TAGS": {"type": "string"},
        "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": {"format": "boolean", "type": "string"},
        "AWS_VPC_K8S_CNI_EXTERNALSNAT": {"format": "boolean", "type": "string"},
        "ENABLE_POD_ENI": {"format": "boolean", "type": "string"},
        "ENABLE_PREFIX_DELEGATION": {"format": "boolean", "type": "string"},
        "ENI_CONFIG_LABEL_DEF": {"type": "string"},
        "MINIMUM_IP_TARGET": {"format": "integer", "type": "string"},
        "WARM_ENI_TARGET": {"format": "integer", "type": "string"},
        "WARM_IP_TARGET": {"format": "integer", "type": "string"},
        "WARM_PREFIX_TARGET": {"format": "integer", "type": "string"}
      },
      "type": "object"
    },
    "VpcCni": {
      "additionalProperties": false,
      "properties": {
        "enableNetworkPolicy": {"format": "boolean", "type": "string"},
        "eniConfig": {"$ref": "#/definitions/EniConfig"},
        "env": {"$ref": "#/definitions/Env"},
        "nodeAgent": {"type": "object"},
        "resources": {"type": "object"},
        "tolerations": {"items": {"type": "object"}, "type": "array"}
      },
      "type": "object"
    }
  },
  "description": "vpc-cni (subset, in EKS's shape)",
  "type": "object"
}`
