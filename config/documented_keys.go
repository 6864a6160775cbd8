package config

import (
	"reflect"
	"sort"
	"strings"
)

// Keys are the keys an environment file may hold, dotted (`network.vpc_cidr`); a map is one key
// (`tags`). The docs test holds docs/configuration.md's table to exactly this list.
func Keys() []string { return yamlKeyList(reflect.TypeOf(fileDoc{}), "") }

// BootstrapKeys are the keys of environments/bootstrap/accounts.yaml; a list of records is
// written `accounts[].name`.
func BootstrapKeys() []string { return yamlKeyList(reflect.TypeOf(fileBootstrap{}), "") }

func yamlKeyList(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			keys = append(keys, yamlKeyList(ft, prefix+name+".")...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			keys = append(keys, yamlKeyList(ft.Elem(), prefix+name+"[].")...)
		default:
			keys = append(keys, prefix+name)
		}
	}
	sort.Strings(keys)
	return keys
}
