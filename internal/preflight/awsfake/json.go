package awsfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// json answers the AWS JSON 1.1 protocol of ACM, Cognito, Service Quotas and SSM: a POST whose
// X-Amz-Target names the operation, a JSON answer, and {"__type": code} on failure.
func (q *request) json() {
	target := q.r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	var in map[string]any
	if err := json.NewDecoder(q.r.Body).Decode(&in); err != nil {
		q.jsonError(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	str := func(k string) string { s, _ := in[k].(string); return s }
	switch q.service + ":" + op {
	case "acm:DescribeCertificate":
		arn := str("CertificateArn")
		if q.record("acm:DescribeCertificate", arn) {
			q.jsonError(http.StatusBadRequest, "AccessDeniedException", "not authorized to perform acm:DescribeCertificate on "+arn)
			return
		}
		c, ok := q.a.Certificates[arn]
		if !ok {
			q.jsonError(http.StatusBadRequest, "ResourceNotFoundException", "Could not find certificate "+arn+".")
			return
		}
		q.writeJSON(map[string]any{"Certificate": map[string]any{
			"CertificateArn": arn, "DomainName": c.Domain, "SubjectAlternativeNames": append([]string{c.Domain}, c.SANs...),
			"Status": c.Status, "Type": "AMAZON_ISSUED", "NotAfter": c.NotAfter.Unix(),
		}})
	case "cognito-idp:DescribeUserPoolDomain":
		if q.record("cognito-idp:DescribeUserPoolDomain", "*") {
			q.jsonError(http.StatusBadRequest, "AccessDeniedException", "not authorized")
			return
		}
		d, taken := q.a.CognitoDomains[str("Domain")]
		desc := map[string]any{}
		if taken {
			desc = map[string]any{"Domain": str("Domain"), "UserPoolId": d.UserPoolID, "Status": "ACTIVE", "Version": "20260101000000",
				"CloudFrontDistribution": "d111111abcdef8.cloudfront.net", "S3Bucket": "aws-cognito-prod-sin-assets"}
			if !d.OmitAccountID {
				desc["AWSAccountId"] = d.AccountID
			}
		}
		q.writeJSON(map[string]any{"DomainDescription": desc})
	case "cognito-idp:DescribeUserPool":
		id := str("UserPoolId")
		if q.record("cognito-idp:DescribeUserPool", fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", q.region, q.a.ID, id)) {
			q.jsonError(http.StatusBadRequest, "AccessDeniedException", "not authorized to perform cognito-idp:DescribeUserPool")
			return
		}
		if !q.a.UserPools[id] {
			q.jsonError(http.StatusBadRequest, "ResourceNotFoundException", "User pool "+id+" does not exist.")
			return
		}
		q.writeJSON(map[string]any{"UserPool": map[string]any{"Id": id, "Name": "pool", "Arn": fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", q.region, q.a.ID, id)}})
	case "ssm:GetParameter":
		name := str("Name")
		arn := "arn:aws:ssm:" + q.region + "::parameter" + name // public parameters have no account
		if q.record("ssm:GetParameter", arn) {
			q.jsonError(http.StatusBadRequest, "AccessDeniedException", "not authorized to perform ssm:GetParameter on resource "+arn)
			return
		}
		v, ok := q.a.Parameters[name]
		if !ok {
			q.jsonError(http.StatusBadRequest, "ParameterNotFound", "")
			return
		}
		q.writeJSON(map[string]any{"Parameter": map[string]any{"Name": name, "Type": "String", "Value": v, "Version": 1,
			"ARN": arn, "DataType": "aws:ec2:image", "LastModifiedDate": 1.7e9}})
	case "servicequotas:GetServiceQuota", "servicequotas:GetAWSDefaultServiceQuota":
		if q.record("servicequotas:"+op, "*") {
			q.jsonError(http.StatusBadRequest, "AccessDeniedException", "not authorized")
			return
		}
		key := str("ServiceCode") + "/" + str("QuotaCode")
		values := q.a.Quotas
		if op == "GetAWSDefaultServiceQuota" {
			values = q.a.DefaultQuotas
		}
		v, ok := values[key]
		if !ok {
			q.jsonError(http.StatusBadRequest, "NoSuchResourceException", "The request failed because the specified quota does not exist: "+key)
			return
		}
		q.writeJSON(map[string]any{"Quota": map[string]any{
			"ServiceCode": str("ServiceCode"), "QuotaCode": str("QuotaCode"), "Value": v,
			"QuotaArn": fmt.Sprintf("arn:aws:servicequotas:%s:%s:%s", q.region, q.a.ID, key),
		}})
	default:
		q.jsonError(http.StatusBadRequest, "UnknownOperationException", target+" is not faked")
	}
}

func (q *request) writeJSON(v any) {
	q.w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(q.w).Encode(v)
}

func (q *request) jsonError(status int, code, msg string) {
	q.w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	q.w.WriteHeader(status)
	_ = json.NewEncoder(q.w).Encode(map[string]string{"__type": code, "message": msg})
}
