package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// SelectionVar names the environment variable that picks environments, e.g. "dev" or
// "dev,prod". Unset or empty: every file in the environments directory.
const SelectionVar = "PHL_ENVIRONMENTS"

// DefaultDir is where the environment files live, relative to the repository root.
const DefaultDir = "environments"

// DirVar names the environment variable that points the app at another environments
// directory (the ladder's self-tests use a planted copy).
const DirVar = "PHL_ENVIRONMENTS_DIR"

// Dir is the environments directory: DirVar if set, else DefaultDir.
func Dir() string {
	if d := os.Getenv(DirVar); d != "" {
		return d
	}
	return DefaultDir
}

// Load reads and validates the selected environments from dir. selection is a comma-separated
// list of names; empty selects every <name>.yaml file in dir.
func Load(dir, selection string) ([]*Environment, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	available := map[string]string{}
	var names []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		available[name] = f
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no environment files (<name>.yaml) found", dir)
	}

	selected := names
	if strings.TrimSpace(selection) != "" {
		selected = nil
		for _, s := range strings.Split(selection, ",") {
			s = strings.TrimSpace(s)
			if _, ok := available[s]; !ok {
				return nil, fmt.Errorf("%s = %q: unknown environment %q (allowed: %s, the files in %s/)", SelectionVar, selection, s, strings.Join(names, ", "), dir)
			}
			selected = append(selected, s)
		}
	}

	envs := make([]*Environment, 0, len(selected))
	for _, name := range selected {
		env, err := LoadFile(available[name])
		if err != nil {
			return nil, err
		}
		envs = append(envs, env)
	}
	return envs, nil
}

// LoadFile reads and validates one environment file.
func LoadFile(path string) (*Environment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse validates the YAML text of an environment file; file names it in errors and must be
// <name>.yaml.
func Parse(file string, data []byte) (*Environment, error) {
	var doc fileDoc
	if err := decodeStrict(file, data, &doc); err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	return validator{file: file}.environment(&doc, name)
}

// decodeStrict decodes a YAML file into out (a pointer to a file struct), refusing an empty
// file, unknown keys and values of the wrong type, each as one line naming the file.
func decodeStrict(file string, data []byte, out any) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fmt.Errorf("%s: not valid YAML: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) == 0 {
		return fmt.Errorf("%s: the file is empty", file)
	}
	if err := checkKeys(file, &root, reflect.TypeOf(out), ""); err != nil {
		return err
	}
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(out); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			return fmt.Errorf("%s: %s", file, te.Errors[0])
		}
		return fmt.Errorf("%s: %v", file, err)
	}
	return nil
}

// RequireStateBackendVar, set to "true" (the deploy workflow does), makes every selected
// environment without a state_backend an error: local state on a throwaway CI runner is lost
// after the run, so the next deploy would try to create everything again.
const RequireStateBackendVar = "PHL_REQUIRE_STATE_BACKEND"

// RequireStateBackend returns an error naming the first environment without a state_backend.
func RequireStateBackend(envs []*Environment) error {
	for _, e := range envs {
		if e.StateBackend == nil {
			return &Error{File: e.SourceFile, Key: "state_backend.bucket", Value: "",
				Problem: "required when " + RequireStateBackendVar + "=true (CI deploys): local state would be lost with the runner",
				Allowed: "an existing, versioned S3 bucket name"}
		}
	}
	return nil
}
