package offlinestate

import (
	"regexp"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

func plan() *tfjson.Plan {
	return &tfjson.Plan{
		TerraformVersion: "1.11.4",
		OutputChanges: map[string]*tfjson.Change{
			"vpc_cidr":   {After: "10.0.0.0/16", AfterUnknown: false},
			"vpc_id":     {After: nil, AfterUnknown: true},
			"subnet_ids": {After: []any{nil, nil}, AfterUnknown: []any{true, true}},
			"key_arn":    {After: nil, AfterUnknown: true},
		},
		Config: &tfjson.Config{RootModule: &tfjson.ConfigModule{Outputs: map[string]*tfjson.ConfigOutput{
			"vpc_id":     {Expression: &tfjson.Expression{ExpressionData: &tfjson.ExpressionData{References: []string{"aws_vpc.v.id", "aws_vpc.v"}}}},
			"subnet_ids": {Expression: &tfjson.Expression{ExpressionData: &tfjson.ExpressionData{References: []string{"aws_subnet.a.id", "aws_subnet.a", "aws_subnet.b.id", "aws_subnet.b"}}}},
			"key_arn":    {Expression: &tfjson.Expression{ExpressionData: &tfjson.ExpressionData{References: []string{"aws_kms_key.k.arn", "aws_kms_key.k"}}}},
		}}},
	}
}

func TestFromPlanFillsUnknownsWithWellFormedPlaceholders(t *testing.T) {
	st, err := FromPlan(plan(), "111111111111", "ap-southeast-1")
	if err != nil {
		t.Fatal(err)
	}
	if st.Outputs["vpc_cidr"].Value != "10.0.0.0/16" || st.Outputs["vpc_cidr"].Type != "string" {
		t.Errorf("known output not copied: %+v", st.Outputs["vpc_cidr"])
	}
	if !regexp.MustCompile(`^vpc-0[0-9a-f]{16}$`).MatchString(st.Outputs["vpc_id"].Value.(string)) {
		t.Errorf("vpc_id placeholder = %v", st.Outputs["vpc_id"].Value)
	}
	subnets := st.Outputs["subnet_ids"].Value.([]any)
	if len(subnets) != 2 || subnets[0] == subnets[1] || !regexp.MustCompile(`^subnet-0`).MatchString(subnets[1].(string)) {
		t.Errorf("subnet placeholders = %v", subnets)
	}
	if !regexp.MustCompile(`^arn:aws:kms:ap-southeast-1:111111111111:key/[0-9a-f-]{36}$`).MatchString(st.Outputs["key_arn"].Value.(string)) {
		t.Errorf("key ARN placeholder = %v", st.Outputs["key_arn"].Value)
	}
	if st.Version != 4 || len(st.Outputs) != 4 {
		t.Errorf("state = %+v", st)
	}
}

func TestPlaceholderIsStable(t *testing.T) {
	a := Placeholder("aws_iam_role.r.arn", "111111111111", "eu-west-1")
	if a != Placeholder("aws_iam_role.r.arn", "111111111111", "eu-west-1") || !regexp.MustCompile(`^arn:aws:iam::111111111111:role/offline-`).MatchString(a) {
		t.Errorf("role ARN placeholder = %s", a)
	}
}
