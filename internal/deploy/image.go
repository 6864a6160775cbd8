package deploy

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// pushBootstrapImage pushes the database bootstrap's image (tools/image, a reproducible build:
// the digest is the one the gitops stack was synthesized with) into the database stack's ECR
// repository. The registry password goes from `aws ecr get-login-password` straight into a
// Docker config in a private folder (0700, removed right after), which tools/image's default
// keychain reads through DOCKER_CONFIG; it is never printed, nor put on a command line.
func (d *run) pushBootstrapImage(ctx context.Context, repo string) (string, error) {
	registry, _, ok := strings.Cut(repo, "/")
	if !ok || !strings.Contains(registry, ".dkr.ecr.") {
		return "", fmt.Errorf("image: %q is not an ECR repository URL", repo)
	}
	// The registry's own region (account.dkr.ecr.<region>.amazonaws.com): a login token is
	// valid for one region's registry only.
	region := strings.SplitN(strings.SplitN(registry, ".dkr.ecr.", 2)[1], ".", 2)[0]
	pw, err := d.r.run(ctx, command{name: "aws", args: []string{"ecr", "get-login-password", "--region", region}, capture: true})
	if err != nil {
		return "", fmt.Errorf("image: registry login: %v", err)
	}
	dir := filepath.Join(d.tmp, "docker")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	cfg, _ := json.Marshal(map[string]any{"auths": map[string]any{
		registry: map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte("AWS:" + strings.TrimSpace(string(pw))))},
	}})
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o600); err != nil {
		return "", err
	}
	out, err := d.r.run(ctx, command{name: "go", args: []string{"run", "./tools/image", "-push", repo},
		env: []string{"DOCKER_CONFIG=" + dir}, label: "image", capture: true, showStderr: true})
	if err != nil {
		return "", err
	}
	digest := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(digest, '\n'); i >= 0 {
		digest = digest[i+1:]
	}
	if !strings.HasPrefix(digest, "sha256:") {
		return "", fmt.Errorf("image: tools/image printed %q, not a digest", digest)
	}
	d.printf("image: %s@%s\n", repo, digest)
	return digest, nil
}
