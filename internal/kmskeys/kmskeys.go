// Package kmskeys creates the platform's customer managed keys the one way they are made:
// yearly rotation, a 30-day deletion window, a Name tag and an alias.
package kmskeys

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/tfval"
)

// New creates a key named name (alias/<name>) in scope, with the given key policy.
func New(scope constructs.Construct, name, description string, policy iampolicy.Document) kmskey.KmsKey {
	key := kmskey.NewKmsKey(scope, jsii.String("kms"), &kmskey.KmsKeyConfig{
		Description:          jsii.String(description),
		EnableKeyRotation:    jsii.Bool(true),
		DeletionWindowInDays: jsii.Number(30),
		Policy:               jsii.String(policy.JSON()),
		Tags:                 tfval.Tags("Name", name),
	})
	kmsalias.NewKmsAlias(scope, jsii.String("kms-alias"), &kmsalias.KmsAliasConfig{
		Name:        jsii.String("alias/" + name),
		TargetKeyId: key.KeyId(),
	})
	return key
}
