package preflight

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
)

// SSM reads Systems Manager parameters: GetParameter only, in the AWS JSON 1.1 protocol
// (POST, X-Amz-Target: AmazonSSM.GetParameter, SigV4 for service "ssm"; SSM API Reference,
// GetParameter). It is this small call rather than the SDK's ssm module, which go.mod does not
// carry; errors are smithy.APIErrors like the SDK's, so describe, denied and fixFor apply. It
// honours cfg.BaseEndpoint (AWS_ENDPOINT_URL) but not the SDK's per-service or FIPS endpoints.
type SSM struct {
	cfg    aws.Config
	region string
}

// Parameter is the answer of GetParameter.
type Parameter struct {
	Name, Value, ARN string
}

// endpoint is cfg.BaseEndpoint (a fake, LocalStack) or the region's public endpoint.
func (c *SSM) endpoint() string {
	if c.cfg.BaseEndpoint != nil {
		return strings.TrimSuffix(*c.cfg.BaseEndpoint, "/")
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(c.region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return "https://ssm." + c.region + "." + suffix
}

// GetParameter reads one parameter by name.
func (c *SSM) GetParameter(ctx context.Context, name string) (Parameter, error) {
	body, _ := json.Marshal(map[string]string{"Name": name})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint()+"/", bytes.NewReader(body))
	if err != nil {
		return Parameter{}, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.GetParameter")
	if c.cfg.Credentials == nil {
		return Parameter{}, fmt.Errorf("ssm:GetParameter: no AWS credentials")
	}
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return Parameter{}, fmt.Errorf("failed to refresh cached credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", c.region, time.Now()); err != nil {
		return Parameter{}, err
	}
	var client aws.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	if c.cfg.HTTPClient != nil {
		client = c.cfg.HTTPClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return Parameter{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Parameter{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return Parameter{}, jsonError(resp, data)
	}
	var out struct{ Parameter Parameter }
	if err := json.Unmarshal(data, &out); err != nil {
		return Parameter{}, fmt.Errorf("ssm:GetParameter: unreadable answer: %w", err)
	}
	return out.Parameter, nil
}

// jsonError is an AWS JSON 1.1 error answer as a smithy.APIError: the code from X-Amzn-Errortype
// or __type, without a "namespace#" prefix or a ":url" suffix.
func jsonError(resp *http.Response, data []byte) error {
	var e struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(data, &e)
	code := resp.Header.Get("X-Amzn-Errortype")
	if code == "" {
		code = e.Type
	}
	code = code[strings.LastIndexByte(code, '#')+1:]
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	if code == "" {
		code = http.StatusText(resp.StatusCode)
	}
	msg := e.Message
	if msg == "" {
		msg = e.MessageU
	}
	return &smithy.GenericAPIError{Code: code, Message: msg}
}
