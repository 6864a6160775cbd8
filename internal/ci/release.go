package ci

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"gopkg.in/yaml.v3"
)

// digestPattern is what the phl-store chart's schema accepts as image.digest.
var digestPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// ResolveDigest asks the registry which manifest a tag points at now (a HEAD request; the
// digest of a multi-platform image is its index's, which is what a pull by digest wants).
func ResolveDigest(image string, opts ...name.Option) (string, error) {
	ref, err := name.NewTag(image, opts...)
	if err != nil {
		return "", fmt.Errorf("image %q: %w", image, err)
	}
	desc, err := remote.Head(ref, remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", ref, err)
	}
	return desc.Digest.String(), nil
}

// SetImage sets image.tag and image.digest in a values file, keeping everything else (comments
// included) as it is; the keys are added when missing.
func SetImage(values []byte, tag, digest string) ([]byte, error) {
	if !digestPattern.MatchString(digest) {
		return nil, fmt.Errorf("digest %q: want sha256: and 64 lowercase hex digits", digest)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(values, &doc); err != nil {
		return nil, fmt.Errorf("values: %w", err)
	}
	if doc.Kind == 0 { // an empty file
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("values: the top level is not a mapping")
	}
	image := child(root, "image")
	if image.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("values: image is not a mapping")
	}
	set(image, "tag", tag)
	set(image, "digest", digest)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// child returns the mapping under key, adding an empty one when the key is missing.
func child(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	v := &yaml.Node{Kind: yaml.MappingNode}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
	return v
}

func set(m *yaml.Node, key, value string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1].Kind, m.Content[i+1].Tag, m.Content[i+1].Value, m.Content[i+1].Style = yaml.ScalarNode, "!!str", value, yaml.DoubleQuotedStyle
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Style: yaml.DoubleQuotedStyle})
}
