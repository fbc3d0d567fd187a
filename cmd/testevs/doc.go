// Command testevs exercises the EVS service as openais's test/testevs did
// and prints what it sees:
//
//	testevs [-d run_dir] [-n count] [-t timeout]
//
// It prints the membership (evs_membership_get), joins the groups key1,
// key2 and key3, leaves key1, then multicasts count messages (500 by
// default) to its groups with mcast_joined and count more to key2 with
// mcast_groups, retrying each on TRY_AGAIN, and prints every delivery
// ("API 'evs_mcast_joined' msg '…'") and every configuration change. Unlike
// the original, which could finish before its last messages came back, it
// waits until each of its own messages has been delivered to it (or the
// timeout passes: exit status 1), then finalizes.
package main
