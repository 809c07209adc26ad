package evidence

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// The AWS CLI prints a response with the member names of the service model,
// omitting absent members, and timestamps as ISO 8601 strings. The SDK's Go
// types use the same names, capitalised; CloudWatch Logs (and CloudTrail's
// trailList) spell members in lower camel case. encode and decode convert
// between the two with reflection, so every member the SDK knows survives a
// round trip and a response pasted from `aws ... --output json` loads.

// cliTime is how the AWS CLI v2 prints timestamps.
const cliTime = "2006-01-02T15:04:05.000000-07:00"

var timeType = reflect.TypeOf(time.Time{})

// naming maps a Go field name to the member name the CLI prints.
type naming func(goName string) string

func pascal(n string) string { return n }

func lowerCamel(n string) string {
	if n == "" {
		return n
	}
	return strings.ToLower(n[:1]) + n[1:]
}

// skipField reports fields that are not response members.
func skipField(f reflect.StructField) bool {
	return !f.IsExported() || f.Name == "ResultMetadata" || f.Name == "NextToken" || f.Type.Kind() == reflect.Interface
}

// encode turns an SDK output value into the CLI's JSON shape.
func encode(v any, name naming) any {
	return encodeValue(reflect.ValueOf(v), name)
}

func encodeValue(v reflect.Value, name naming) any {
	if !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return encodeValue(v.Elem(), name)
	}
	if v.Type() == timeType {
		return v.Interface().(time.Time).UTC().Format(cliTime)
	}
	switch v.Kind() {
	case reflect.Struct:
		m := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if skipField(f) {
				continue
			}
			fv := v.Field(i)
			if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.IsNil() {
				continue
			}
			if fv.Kind() == reflect.String && fv.Len() == 0 { // unset enum
				continue
			}
			if fv.Kind() == reflect.Struct && fv.Type() != timeType && fv.IsZero() {
				continue
			}
			m[name(f.Name)] = encodeValue(fv, name)
		}
		return m
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = encodeValue(v.Index(i), name)
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[fmt.Sprint(k.Interface())] = encodeValue(v.MapIndex(k), name)
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return nil
}

// decodeError names where in the response a value does not fit.
type decodeError struct {
	path string
	msg  string
}

func (e *decodeError) Error() string { return e.path + ": " + e.msg }

// decode fills the SDK value that dst points to from JSON data in the CLI's
// shape (parsed with UseNumber). Members the SDK does not know are ignored;
// member names match exactly as the CLI prints them or, failing that, case
// insensitively.
func decode(data any, dst any, name naming, path string) error {
	return decodeValue(data, reflect.ValueOf(dst).Elem(), name, path)
}

func typeName(data any) string {
	switch data.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", data)
}

func decodeValue(data any, v reflect.Value, name naming, path string) error {
	if data == nil {
		return nil // absent
	}
	bad := func(want string) error {
		return &decodeError{path, fmt.Sprintf("want %s, got %s", want, typeName(data))}
	}
	if v.Kind() == reflect.Pointer {
		e := reflect.New(v.Type().Elem())
		if err := decodeValue(data, e.Elem(), name, path); err != nil {
			return err
		}
		v.Set(e)
		return nil
	}
	if v.Type() == timeType {
		switch d := data.(type) {
		case string:
			t, err := parseTime(d)
			if err != nil {
				return &decodeError{path, err.Error()}
			}
			v.Set(reflect.ValueOf(t))
		case json.Number:
			f, err := d.Float64()
			if err != nil {
				return &decodeError{path, err.Error()}
			}
			sec, frac := math.Modf(f)
			v.Set(reflect.ValueOf(time.Unix(int64(sec), int64(frac*1e9)).UTC()))
		default:
			return bad("a timestamp")
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		m, ok := data.(map[string]any)
		if !ok {
			return bad("an object")
		}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if skipField(f) {
				continue
			}
			key := name(f.Name)
			val, ok := m[key]
			if !ok {
				for k, x := range m {
					if strings.EqualFold(k, f.Name) {
						key, val, ok = k, x, true
						break
					}
				}
			}
			if !ok {
				continue
			}
			if err := decodeValue(val, v.Field(i), name, path+"."+key); err != nil {
				return err
			}
		}
	case reflect.Slice:
		a, ok := data.([]any)
		if !ok {
			return bad("an array")
		}
		s := reflect.MakeSlice(v.Type(), len(a), len(a))
		for i, x := range a {
			if err := decodeValue(x, s.Index(i), name, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		m, ok := data.(map[string]any)
		if !ok || v.Type().Key().Kind() != reflect.String {
			return bad("an object")
		}
		out := reflect.MakeMapWithSize(v.Type(), len(m))
		for k, x := range m {
			e := reflect.New(v.Type().Elem()).Elem()
			if err := decodeValue(x, e, name, path+"."+k); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		v.Set(out)
	case reflect.String:
		s, ok := data.(string)
		if !ok {
			return bad("a string")
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := data.(bool)
		if !ok {
			return bad("a boolean")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := data.(json.Number)
		if !ok {
			return bad("an integer")
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil || v.OverflowInt(i) {
			return bad("an integer")
		}
		v.SetInt(i)
	case reflect.Float32, reflect.Float64:
		n, ok := data.(json.Number)
		if !ok {
			return bad("a number")
		}
		f, err := n.Float64()
		if err != nil {
			return bad("a number")
		}
		v.SetFloat(f)
	}
	return nil
}

// parseTime accepts ISO 8601 as the CLI prints it, with or without
// fractional seconds, offset or Z.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q is not ISO 8601", s)
}
