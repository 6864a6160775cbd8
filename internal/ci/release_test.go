package ci

import (
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"gopkg.in/yaml.v3"
)

func TestResolveDigest(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.NewTag(u.Host+"/zylwin/phl-store:v1", name.Insecure)
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	got, err := ResolveDigest(u.Host+"/zylwin/phl-store:v1", name.Insecure)
	if err != nil || got != want.String() {
		t.Errorf("ResolveDigest = %q, %v; want %s", got, err, want)
	}
	if _, err := ResolveDigest(u.Host+"/zylwin/phl-store:missing", name.Insecure); err == nil {
		t.Error("a missing tag resolved")
	}
	if _, err := ResolveDigest("Not A Ref"); err == nil {
		t.Error("a bad reference resolved")
	}
}

func TestSetImage(t *testing.T) {
	const d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	in := "# dev values\nautoscaling:\n  minReplicas: 2 # two zones\nimage:\n  # pinned by app-release\n  tag: latest\n  digest: \"\"\n"
	out, err := SetImage([]byte(in), "v1.2.3", d)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Autoscaling struct {
			MinReplicas int `yaml:"minReplicas"`
		} `yaml:"autoscaling"`
		Image struct{ Tag, Digest string }
	}
	if err := yaml.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	if v.Image.Tag != "v1.2.3" || v.Image.Digest != d || v.Autoscaling.MinReplicas != 2 {
		t.Errorf("values after: %+v\n%s", v, out)
	}
	for _, c := range []string{"# dev values", "# two zones", "# pinned by app-release"} {
		if !strings.Contains(string(out), c) {
			t.Errorf("comment %q lost:\n%s", c, out)
		}
	}
	added, err := SetImage([]byte("autoscaling:\n  minReplicas: 2\n"), "v1", d)
	if err != nil || !strings.Contains(string(added), "image:\n  tag: \"v1\"\n  digest: \""+d+"\"") {
		t.Errorf("keys not added: %v\n%s", err, added)
	}
	if _, err := SetImage([]byte(in), "v1", "sha256:abc"); err == nil {
		t.Error("a short digest accepted")
	}
	if _, err := SetImage([]byte("image: latest\n"), "v1", d); err == nil {
		t.Error("image as a string accepted")
	}
}
