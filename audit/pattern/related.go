package pattern

import "strings"

// Related reports whether filter is about the same records as mustCatch:
// some positive condition of filter and some condition of mustCatch read
// the same field and accept a common value ($.eventName = StopLogging
// against the five CloudTrail calls). A filter that is related but does not
// cover is a broken filter for the control; one that is not related serves
// something else (another control's filter), and neither it nor its alarm
// belongs to this control's chain.
//
// Term, regex and space-delimited filters read the raw text: they are
// related when they match a realistic record of one of the events
// mustCatch names.
func Related(filter, mustCatch *Pattern) bool {
	if filter == nil || mustCatch == nil || mustCatch.lang != langJSON {
		return false
	}
	var want []cond
	collect(mustCatch.expr, &want)
	if filter.lang != langJSON {
		if filter.lang == langEmpty {
			return true
		}
		for _, c := range want {
			if c.Op != opEq || !isEventName(c.Sel) || c.Val.Kind != valString || isWildcard(c.Val.Text) {
				continue
			}
			// The event's realistic records, from its own service
			// (signin.amazonaws.com for ConsoleLogin).
			records := ExampleRecords(c.Val.Text)
			if len(records) == 0 {
				records = []string{recordText(baseRecord(c.Val.Text))}
			}
			for _, text := range records {
				if Match(filter, text) {
					return true
				}
			}
		}
		return false
	}
	var have []cond
	collect(filter.expr, &have)
	for _, h := range have {
		if h.Op != opEq || h.Val.Kind == valAny {
			continue
		}
		for _, w := range want {
			if w.Op != opEq || w.Sel.String() != h.Sel.String() {
				continue
			}
			if accepts(h, w.Val) || accepts(w, h.Val) {
				return true
			}
		}
	}
	return false
}

// accepts reports whether c holds for a value that v stands for: v itself
// when it is a plain constant, or v with its wildcards filled in.
func accepts(c cond, v value) bool {
	switch v.Kind {
	case valString:
		return testValue(c.Op, c.Val, strings.ReplaceAll(v.Text, "*", "x"))
	case valNumber:
		return testValue(c.Op, c.Val, v.Text)
	}
	return false
}
