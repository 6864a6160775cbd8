package smoke

import (
	"context"
	"fmt"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// CognitoFactory builds the Cognito client that reads the secret, only when one is needed.
// region is the token URL's, or "" (then the SDK's default configuration decides).
type CognitoFactory func(ctx context.Context, region string) (UserPoolClientDescriber, error)

// NewCognito is the real Cognito client, with the SDK's default credentials chain.
func NewCognito(ctx context.Context, region string) (UserPoolClientDescriber, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %v", err)
	}
	return cognitoidentityprovider.NewFromConfig(cfg), nil
}
