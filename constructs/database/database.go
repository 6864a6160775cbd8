// Package database is the platform's Aurora MySQL 3 cluster: in the network's database
// subnets, reachable on 3306 only from the database-clients security group, encrypted with its
// own rotating KMS key, TLS required, a master password that RDS manages in Secrets Manager,
// IAM authentication, logs exported to KMS-encrypted groups, read-replica autoscaling, and the
// application's own credentials secret with the role of the in-cluster bootstrap that fills it.
package database

import (
	"fmt"
	"regexp"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/rdscluster"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/rdsclusterinstance"

	"github.com/phl-platform/phl-platform/internal/tfval"
)

// ServiceAccount is a Kubernetes namespace and service account.
type ServiceAccount struct{ Namespace, Name string }

// BootstrapServiceAccount is where the database bootstrap Job runs (its own namespace, so the
// master secret never reaches the application's); the phl-store chart uses these names.
var BootstrapServiceAccount = ServiceAccount{"phl-db-bootstrap", "db-bootstrap"}

// LogExports are the logs Aurora MySQL exports to CloudWatch. audit needs Advanced Auditing
// (server_audit_logging) and slowquery the slow query log in the parameter groups; listing
// them alone exports nothing. iam-db-auth-error records failed IAM authentications.
var LogExports = []string{"audit", "error", "iam-db-auth-error", "slowquery"}

// Props configures a Database. Zero values take the documented defaults.
type Props struct {
	Name              string // cluster identifier and name prefix, e.g. "phl-dev" (required)
	AccountID         string // required
	Region            string // required
	Partition         string // default "aws"
	AvailabilityZones []string

	VpcID                 *string   // required
	SubnetIDs             []*string // the network's database subnets, one per AZ (required)
	ClientSecurityGroupID *string   // members may connect on 3306 (required)

	EngineVersion    string  // required, e.g. 8.0.mysql_aurora.3.10.1
	InstanceClass    string  // required: a provisioned class or db.serverless
	ServerlessMinACU float64 // db.serverless only
	ServerlessMaxACU float64 // db.serverless only

	Readers         int // readers besides the writer, always running
	MaxReaders      int // read-replica autoscaling maximum; <= Readers: no autoscaling
	ReaderTargetCPU int // default 70 (percent)

	BackupRetentionDays int    // default 7
	BackupWindow        string // required, hh:mm-hh:mm UTC
	MaintenanceWindow   string // required, ddd:hh:mm-ddd:hh:mm UTC
	DeletionProtection  bool
	FinalSnapshot       bool
	DatabaseName        string // default "products"
	MasterUsername      string // default "phladmin"
	LogRetentionDays    int    // default 30
	PerformanceInsights bool

	// SecretsPrefix names the app's secret (<prefix>database/app), e.g. "phl-dev/" (required).
	SecretsPrefix string
	// EksClusterArn is the cluster whose Pod Identity may hand out the bootstrap role (required).
	EksClusterArn string
	// SecretReaderRoleArn is the External Secrets Operator's role: with the bootstrap role, the
	// only reader of the app's secret (required). Given as an ARN, not a reference, so the
	// database does not wait for the cluster.
	SecretReaderRoleArn string
}

// Database exposes what other stacks and operators consume.
type Database struct {
	constructs.Construct

	Cluster          rdscluster.RdsCluster
	KmsKey           kmskey.KmsKey
	SecurityGroupID  *string
	MasterSecretArn  *string
	AppSecretArn     *string
	AppSecretName    string
	BootstrapRoleArn *string
	// BootstrapRepositoryURL is the ECR repository of the bootstrap's image.
	BootstrapRepositoryURL *string

	props           Props
	subnetGroupName *string
	instances       []rdsclusterinstance.RdsClusterInstance
}

var (
	// RDS: 1-63 letters, digits and hyphens, starting with a letter; room for "-final-" and
	// the snapshot's timestamp.
	namePattern     = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	usernamePattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]{0,15}$`)
)

// New creates the database. It panics on invalid props: callers validate user input first.
func New(scope constructs.Construct, id string, props Props) *Database {
	props = props.withDefaults()
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("database.New(%q): %v", id, err))
	}
	d := &Database{Construct: constructs.NewConstruct(scope, jsii.String(id)), props: props}
	d.addKmsKey()
	d.addNetworking()
	d.addCluster()
	d.addReaderAutoscaling()
	d.addCredentials()
	d.addBootstrapRepository()
	return d
}

func (p Props) withDefaults() Props {
	if p.Partition == "" {
		p.Partition = "aws"
	}
	if p.ReaderTargetCPU == 0 {
		p.ReaderTargetCPU = 70
	}
	if p.BackupRetentionDays == 0 {
		p.BackupRetentionDays = 7
	}
	if p.DatabaseName == "" {
		p.DatabaseName = "products"
	}
	if p.MasterUsername == "" {
		p.MasterUsername = "phladmin"
	}
	if p.LogRetentionDays == 0 {
		p.LogRetentionDays = 30
	}
	return p
}

func (p Props) validate() error {
	switch {
	case len(p.Name) > 57 || !namePattern.MatchString(p.Name):
		return fmt.Errorf("Name %q: lowercase letters, digits and single hyphens, at most 57 characters", p.Name)
	case p.AccountID == "" || p.Region == "" || p.VpcID == nil || p.ClientSecurityGroupID == nil || p.EngineVersion == "" || p.InstanceClass == "":
		return fmt.Errorf("AccountID, Region, VpcID, ClientSecurityGroupID, EngineVersion and InstanceClass are required")
	case len(p.SubnetIDs) < 2 || len(p.AvailabilityZones) != len(p.SubnetIDs):
		return fmt.Errorf("need one database subnet for each of at least 2 AZs")
	case p.SecretsPrefix == "" || p.EksClusterArn == "" || p.SecretReaderRoleArn == "":
		return fmt.Errorf("SecretsPrefix, EksClusterArn and SecretReaderRoleArn are required")
	case p.BackupWindow == "" || p.MaintenanceWindow == "":
		return fmt.Errorf("BackupWindow and MaintenanceWindow are required")
	case !usernamePattern.MatchString(p.MasterUsername):
		return fmt.Errorf("MasterUsername %q: 1-16 letters, digits and _, starting with a letter", p.MasterUsername)
	case p.InstanceClass == ServerlessClass && (p.ServerlessMinACU <= 0 || p.ServerlessMaxACU < p.ServerlessMinACU):
		return fmt.Errorf("db.serverless needs 0 < ServerlessMinACU <= ServerlessMaxACU")
	}
	_, err := ParameterGroupFamily(p.EngineVersion)
	return err
}

// ServerlessClass is the instance class of Aurora Serverless v2 instances.
const ServerlessClass = "db.serverless"

func (d *Database) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", d.props.Partition, service, d.props.Region, d.props.AccountID, resource)
}

func (d *Database) name(parts ...string) string { return tfval.Name(d.props.Name, parts...) }

var (
	tags = tfval.Tags
	strs = tfval.Strings
)
