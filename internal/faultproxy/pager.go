package faultproxy

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// PageAlarms makes CloudWatch's DescribeAlarms (JSON protocol) answer in
// pages of n alarms, as CloudWatch does for a region with more alarms than
// the request's MaxRecords; moto answers every alarm at once. The request
// reaches the backend untouched (its signature stays valid) and the answer
// is cut: the page the request's NextToken names, and the token of the
// next. n <= 0 turns paging off.
func (p *Proxy) PageAlarms(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.alarmPage = n
}

const pageToken = "faultproxy-page-"

// servePage forwards a DescribeAlarms request and writes the page of the
// answer its NextToken asks for.
func (p *Proxy) servePage(w http.ResponseWriter, r *http.Request, size int) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "faultproxy: read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in struct{ NextToken string }
	_ = json.Unmarshal(body, &in)
	start := 0
	if in.NextToken != "" {
		start, err = strconv.Atoi(strings.TrimPrefix(in.NextToken, pageToken))
		if err != nil || !strings.HasPrefix(in.NextToken, pageToken) {
			http.Error(w, "faultproxy: not a page token of this proxy: "+in.NextToken, http.StatusBadRequest)
			return
		}
	}

	rec := httptest.NewRecorder()
	p.rp.ServeHTTP(rec, r)
	var out map[string]json.RawMessage
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		copyResponse(w, rec, rec.Body.Bytes()) // an error, or not JSON: as it came
		return
	}
	var alarms []json.RawMessage
	if raw := out["MetricAlarms"]; len(raw) > 0 {
		if err := json.Unmarshal(raw, &alarms); err != nil {
			http.Error(w, "faultproxy: MetricAlarms: "+err.Error(), http.StatusBadGateway)
			return
		}
	}
	if _, ok := out["NextToken"]; ok {
		http.Error(w, "faultproxy: the backend pages DescribeAlarms itself; PageAlarms is not needed", http.StatusBadGateway)
		return
	}
	end := min(start+size, len(alarms))
	page := alarms[min(start, len(alarms)):end]
	out["MetricAlarms"], _ = json.Marshal(page)
	if end < len(alarms) {
		out["NextToken"], _ = json.Marshal(pageToken + strconv.Itoa(end))
	}
	b, err := json.Marshal(out)
	if err != nil {
		http.Error(w, "faultproxy: "+err.Error(), http.StatusInternalServerError)
		return
	}
	copyResponse(w, rec, b)
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}
