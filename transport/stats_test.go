package transport

import (
	"reflect"
	"testing"
)

// Add must cover every counter: a field added to Stats and forgotten in
// Add would read zero for every multi-ring node.
func TestStatsAddCoversEveryField(t *testing.T) {
	var one Stats
	v := reflect.ValueOf(&one).Elem()
	for i := range v.NumField() {
		v.Field(i).SetUint(uint64(i + 1))
	}
	var sum Stats
	sum.Add(one)
	sum.Add(one)
	w := reflect.ValueOf(sum)
	for i := range w.NumField() {
		if got := w.Field(i).Uint(); got != 2*uint64(i+1) {
			t.Errorf("%s = %d after adding %d twice", w.Type().Field(i).Name, got, i+1)
		}
	}
}
