package database

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecrlifecyclepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecrrepository"
)

// BootstrapImagesKept is how many bootstrap images the repository keeps.
const BootstrapImagesKept = 20

// addBootstrapRepository creates the registry of the database bootstrap's image (built
// reproducibly by tools/image, pushed by the deploy workflow, referenced by digest): immutable
// tags, scanned on push, encrypted with the database's key. Nodes pull with their
// AmazonEC2ContainerRegistryPullOnly policy; ECR decrypts through the grant it creates on the
// key, so the nodes need no key permission.
func (d *Database) addBootstrapRepository() {
	name := d.props.Name + "/db-bootstrap"
	repo := ecrrepository.NewEcrRepository(d.Construct, jsii.String("bootstrap-repository"), &ecrrepository.EcrRepositoryConfig{
		Name:                       jsii.String(name),
		ImageTagMutability:         jsii.String("IMMUTABLE"),
		ImageScanningConfiguration: &ecrrepository.EcrRepositoryImageScanningConfiguration{ScanOnPush: jsii.Bool(true)},
		EncryptionConfiguration: &[]*ecrrepository.EcrRepositoryEncryptionConfiguration{{
			EncryptionType: jsii.String("KMS"),
			KmsKey:         d.KmsKey.Arn(),
		}},
		// Where the database may be destroyed, so may its images.
		ForceDelete: jsii.Bool(!d.props.DeletionProtection),
		Tags:        tags("Name", name),
	})
	ecrlifecyclepolicy.NewEcrLifecyclePolicy(d.Construct, jsii.String("bootstrap-repository-lifecycle"), &ecrlifecyclepolicy.EcrLifecyclePolicyConfig{
		Repository: repo.Name(),
		// Only tagged images (the pushed indexes) expire: the per-platform manifests inside an index
		// are untagged, and a rule on them could break an index still in use.
		Policy: jsii.String(fmt.Sprintf(`{"rules":[{"rulePriority":1,"description":"keep the last %d images",`+
			`"selection":{"tagStatus":"tagged","tagPatternList":["*"],"countType":"imageCountMoreThan","countNumber":%d},"action":{"type":"expire"}}]}`, BootstrapImagesKept, BootstrapImagesKept)),
	})
	d.BootstrapRepositoryURL = repo.RepositoryUrl()
}
