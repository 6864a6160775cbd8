package offlinestate

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
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

func refs(r ...string) *tfjson.Expression {
	return &tfjson.Expression{ExpressionData: &tfjson.ExpressionData{References: r}}
}

func fromOne(t *testing.T, change *tfjson.Change, expr *tfjson.Expression) (any, error) {
	t.Helper()
	p := &tfjson.Plan{OutputChanges: map[string]*tfjson.Change{"o": change},
		Config: &tfjson.Config{RootModule: &tfjson.ConfigModule{Outputs: map[string]*tfjson.ConfigOutput{"o": {Expression: expr}}}}}
	st, err := FromPlan(p, "111111111111", "eu-west-1")
	if err != nil {
		return nil, err
	}
	return st.Outputs["o"].Value, nil
}

// A list mixing a known literal and unknown IDs keeps each element where it was.
func TestMixedListKeepsPositions(t *testing.T) {
	v, err := fromOne(t, &tfjson.Change{After: []any{"10.0.0.0/16", nil, nil}, AfterUnknown: []any{false, true, true}},
		refs("var.cidr", "aws_vpc.a.id", "aws_vpc.a", "aws_subnet.b.id", "aws_subnet.b"))
	if err == nil {
		t.Fatalf("3 elements with 2 attribute references must be an error, got %v", v)
	}
	v, err = fromOne(t, &tfjson.Change{After: []any{nil, "subnet-0aaaaaaaaaaaaaaaa", nil}, AfterUnknown: []any{true, false, true}},
		refs("aws_vpc.a.id", "aws_vpc.a", "aws_subnet.known.id", "aws_subnet.known", "aws_subnet.c.id", "aws_subnet.c"))
	if err != nil {
		t.Fatal(err)
	}
	list := v.([]any)
	if !strings.HasPrefix(list[0].(string), "vpc-0") || list[1] != "subnet-0aaaaaaaaaaaaaaaa" || !strings.HasPrefix(list[2].(string), "subnet-0") {
		t.Errorf("placeholders out of place: %v", list)
	}
}

// Unknown map values are filled, known ones kept; several references for several unknown keys
// cannot be placed and are an error.
func TestMapsAndObjects(t *testing.T) {
	v, err := fromOne(t, &tfjson.Change{After: map[string]any{"cidr": "10.0.0.0/16"}, AfterUnknown: map[string]any{"id": true}},
		refs("aws_vpc.a.id", "aws_vpc.a"))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["cidr"] != "10.0.0.0/16" || !strings.HasPrefix(fmt.Sprint(m["id"]), "vpc-0") {
		t.Errorf("object = %v", m)
	}
	if _, err := fromOne(t, &tfjson.Change{After: map[string]any{}, AfterUnknown: map[string]any{"a": true, "b": true}},
		refs("aws_subnet.a.id", "aws_subnet.b.id")); err == nil {
		t.Error("two unknown keys with two references must be an error")
	}
	if _, err := fromOne(t, &tfjson.Change{After: nil, AfterUnknown: true}, refs("aws_subnet.a.id", "aws_subnet.b.id")); err == nil {
		t.Error("a wholly unknown value with two references must be an error")
	}
}

func TestPlaceholdersAreWellFormedPerAttribute(t *testing.T) {
	const account, region = "111111111111", "eu-west-1"
	cases := map[string]string{
		"aws_subnet.pod[1].id":                                            `^subnet-0[0-9a-f]{16}$`,
		`aws_subnet.pod["eu-west-1a"].id`:                                 `^subnet-0[0-9a-f]{16}$`,
		"aws_eks_cluster.c.endpoint":                                      `^https://[0-9A-F]{32}\.gr7\.eu-west-1\.eks\.amazonaws\.com$`,
		"aws_rds_cluster.db.reader_endpoint":                              `^[a-z0-9-]+\.cluster-[0-9a-f]{12}\.eu-west-1\.rds\.amazonaws\.com$`,
		"aws_kms_key.k.key_id":                                            `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
		"aws_iam_role.r.arn":                                              `^arn:aws:iam::111111111111:role/offline-[0-9a-f]{8}$`,
		"aws_sqs_queue.q.arn":                                             `^arn:aws:sqs:eu-west-1:111111111111:offline/[0-9a-f]{12}$`,
		"data.terraform_remote_state.net.outputs.vpc_id":                  `^offline-vpc-id-[0-9a-f]{8}$`,
		"aws_lb_target_group.tg.arn":                                      `^arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$`,
		"aws_rds_cluster.c.master_user_secret[0].secret_arn":              `^arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!cluster-[0-9a-f-]{36}-[0-9a-f]{6}$`,
		"aws_ecr_repository.bootstrap-repository_6347E34E.repository_url": `^111111111111\.dkr\.ecr\.eu-west-1\.amazonaws\.com/[a-z0-9-]+$`,
	}
	for ref, pattern := range cases {
		if got := Placeholder(ref, account, region); !regexp.MustCompile(pattern).MatchString(got) {
			t.Errorf("Placeholder(%s) = %s; want %s", ref, got, pattern)
		}
	}
	ca := Placeholder("aws_eks_cluster.c.certificate_authority[0].data", account, region)
	pem, err := base64.StdEncoding.DecodeString(ca)
	if err != nil || !strings.HasPrefix(string(pem), "-----BEGIN CERTIFICATE-----\n") {
		t.Errorf("CA data placeholder is not base64 of a PEM block: %q (%v)", ca, err)
	}
}

// The CA reference has more than three parts; it must still get the CA placeholder.
func TestDeepReferenceFromAnOutput(t *testing.T) {
	v, err := fromOne(t, &tfjson.Change{After: nil, AfterUnknown: true}, refs(
		"aws_eks_cluster.c.certificate_authority[0].data", "aws_eks_cluster.c.certificate_authority[0]",
		"aws_eks_cluster.c.certificate_authority", "aws_eks_cluster.c"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := base64.StdEncoding.DecodeString(v.(string)); err != nil || strings.HasPrefix(v.(string), "offline") {
		t.Errorf("CA output = %v", v)
	}
}
