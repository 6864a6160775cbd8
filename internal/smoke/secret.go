package smoke

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// SecretEnv is the environment variable the client secret may come from.
const SecretEnv = "PHL_CLIENT_SECRET"

// SecretSource says where the client secret is read from; exactly one field is set. The secret
// is never a flag value (it would show in ps and shell history).
type SecretSource struct {
	File       string // a file holding the secret (trailing newline ignored)
	Env        string // the value of SecretEnv
	UserPoolID string // read from Cognito: the gateway stack keeps the secret there, in no output
}

// UserPoolClientDescriber is the one Cognito call the secret needs
// (cognito-idp:DescribeUserPoolClient on the gateway's user pool).
type UserPoolClientDescriber interface {
	DescribeUserPoolClient(ctx context.Context, in *cognitoidentityprovider.DescribeUserPoolClientInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeUserPoolClientOutput, error)
}

// Validate reports a source with none or several places set.
func (s SecretSource) Validate() error {
	n := 0
	for _, v := range []string{s.File, s.Env, s.UserPoolID} {
		if v != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return fmt.Errorf("no client secret: set one of --client-secret-file, %s or --user-pool-id (reads it from Cognito)", SecretEnv)
	case n > 1:
		return fmt.Errorf("client secret from several places: set only one of --client-secret-file, %s and --user-pool-id", SecretEnv)
	}
	return nil
}

// Read returns the secret. cognito is used only for a UserPoolID source.
func (s SecretSource) Read(ctx context.Context, clientID string, cognito UserPoolClientDescriber) (string, error) {
	if err := s.Validate(); err != nil {
		return "", err
	}
	switch {
	case s.File != "":
		b, err := os.ReadFile(s.File)
		if err != nil {
			return "", fmt.Errorf("--client-secret-file: %v", err)
		}
		secret := strings.TrimRight(string(b), "\r\n")
		if secret == "" {
			return "", fmt.Errorf("--client-secret-file %s is empty", s.File)
		}
		return secret, nil
	case s.Env != "":
		return s.Env, nil
	}
	if cognito == nil {
		return "", errors.New("--user-pool-id: no Cognito client")
	}
	out, err := cognito.DescribeUserPoolClient(ctx, &cognitoidentityprovider.DescribeUserPoolClientInput{
		UserPoolId: aws.String(s.UserPoolID), ClientId: aws.String(clientID),
	})
	if err != nil {
		return "", fmt.Errorf("reading the secret of client %s in user pool %s from Cognito: %v", clientID, s.UserPoolID, err)
	}
	if out.UserPoolClient == nil || aws.ToString(out.UserPoolClient.ClientSecret) == "" {
		return "", fmt.Errorf("client %s in user pool %s has no secret (the gateway's client is created with one)", clientID, s.UserPoolID)
	}
	return aws.ToString(out.UserPoolClient.ClientSecret), nil
}

// RegionOfTokenURL is the region in a Cognito token URL
// (https://<prefix>.auth.<region>.amazoncognito.com/oauth2/token), or "".
func RegionOfTokenURL(tokenURL string) string {
	host := tokenURL
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	host, _, _ = strings.Cut(host, "/")
	parts := strings.Split(host, ".")
	if len(parts) == 5 && parts[1] == "auth" && parts[3] == "amazoncognito" && parts[4] == "com" {
		return parts[2]
	}
	return ""
}
