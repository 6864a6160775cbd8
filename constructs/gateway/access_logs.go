package gateway

import (
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/privatebucket"
)

// elbLogAccounts are the Elastic Load Balancing accounts that deliver ALB access logs in the
// regions available before August 2022; newer regions use the log delivery service principal
// (ELB user guide, "Enable access logs for your Application Load Balancer": bucket policy).
var elbLogAccounts = map[string]string{
	"us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980", "us-west-2": "797873946194",
	"af-south-1": "098369216593", "ap-east-1": "754344448648", "ap-southeast-3": "589379963580", "ap-south-1": "718504428378",
	"ap-northeast-3": "383597477331", "ap-northeast-2": "600734575887", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
	"ap-northeast-1": "582318560864", "ca-central-1": "985666609251", "eu-central-1": "054676820928", "eu-west-1": "156460612806",
	"eu-west-2": "652711504416", "eu-south-1": "635631232127", "eu-west-3": "009996457667", "eu-north-1": "897822967062",
	"me-south-1": "076674570225", "sa-east-1": "507241528517",
}

type accessLogs struct {
	bucket *string
	prefix string
	ready  []cdktf.ITerraformDependable // the ALB checks it may write before it is created
}

// addAccessLogBucket creates the ALB's access log bucket: private, TLS only, writable by ELB
// log delivery for this account's prefix, expiring logs. ALB access logs support only SSE-S3
// (not SSE-KMS), hence AES256 (the scanner's CMK finding is allowlisted with that reason).
func (g *Gateway) addAccessLogBucket() accessLogs {
	name := g.name("alb-logs", g.props.AccountID, g.props.Region)
	prefix := "alb"
	delivery := map[string][]string{"Service": {"logdelivery.elasticloadbalancing.amazonaws.com"}}
	if account, ok := elbLogAccounts[g.props.Region]; ok {
		delivery = map[string][]string{"AWS": {"arn:" + g.props.Partition + ":iam::" + account + ":root"}}
	}
	bucketArn := "arn:" + g.props.Partition + ":s3:::" + name
	b := privatebucket.New(g.Construct, privatebucket.Props{
		ID: "alb-logs", Name: name, Partition: g.props.Partition, ForceDestroy: !g.props.DeletionProtection,
		LifecycleRuleID: "expire-access-logs", ExpirationDays: g.props.AlbLogExpirationDays, NoncurrentDays: 7,
		Statements: []iampolicy.Statement{{Sid: "ElbDeliversThisAccountsAccessLogs", Effect: "Allow", Principal: delivery,
			Action: []string{"s3:PutObject"}, Resource: []string{bucketArn + "/" + prefix + "/AWSLogs/" + g.props.AccountID + "/*"}}},
	})
	return accessLogs{bucket: b.Bucket.Id(), prefix: prefix, ready: b.Ready}
}
