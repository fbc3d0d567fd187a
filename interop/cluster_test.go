package interop

import (
	"testing"

	"goais/internal/lab"
)

// cluster is one lab with one ring started on it.
type cluster struct{ *lab.Cluster }

// newCluster builds a lab of hosts hosts and starts every node of ring.
func newCluster(t *testing.T, hosts int, ring *lab.Ring) *cluster {
	t.Helper()
	return &cluster{lab.NewCluster(t, lab.Options{Prefix: "goaisinterop", Hosts: hosts, Bin: bin}, ring)}
}
