package policydoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// object is a JSON object with its members in document order. The
// evaluator reads statements into it rather than into Go maps so that a
// member named twice is seen (a map would silently keep the last one, and
// which one AWS honours is not documented).
type object []member

type member struct {
	key string
	val any // string, json.Number, bool, nil, []any or object
}

func (o object) get(key string) (any, bool) {
	for _, m := range o {
		if m.key == key {
			return m.val, true
		}
	}
	return nil, false
}

// decodeStrict decodes one JSON value, refusing duplicate object members.
func decodeStrict(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			var o object
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key := k.(string)
				if seen[key] {
					return nil, fmt.Errorf("the member %q appears twice", key)
				}
				seen[key] = true
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o = append(o, member{key, v})
			}
			_, err := dec.Token()
			return o, err
		case '[':
			list := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token()
			return list, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil // string, json.Number, bool or nil
	}
}

// stringList reads an element that is a string or a list of strings, such
// as Action or Resource. ok is false for any other shape.
func stringList(v any) (list []string, ok bool) {
	switch t := v.(type) {
	case string:
		return []string{t}, true
	case []any:
		for _, x := range t {
			s, isString := x.(string)
			if !isString {
				return nil, false
			}
			list = append(list, s)
		}
		return list, true
	}
	return nil, false
}

// scalarList reads condition values: a string, number or boolean, or a
// list of them. AWS stores them as strings; a policy may write
// "aws:SecureTransport": false, which reads as "false".
func scalarList(v any) (list []string, ok bool) {
	one := func(x any) (string, bool) {
		switch t := x.(type) {
		case string:
			return t, true
		case json.Number:
			return t.String(), true
		case bool:
			if t {
				return "true", true
			}
			return "false", true
		}
		return "", false
	}
	if l, isList := v.([]any); isList {
		for _, x := range l {
			s, ok := one(x)
			if !ok {
				return nil, false
			}
			list = append(list, s)
		}
		return list, true
	}
	s, ok := one(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}
