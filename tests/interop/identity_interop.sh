#!/bin/sh
# AIK enrolment across TSS stacks, on OUR tcsd (embedded TPM; set
# TSS12_TEST_TCSD to choose another daemon): identity_peer.c is built
# against Debian's libtspi (TrouSerS) and against ours, identity_ca is our
# privacy CA (common/privacy_ca). Checked:
#  - a request collated by TrouSerS' libtspi is accepted by our CA,
#    activated by TrouSerS' libtspi (credential recovered), and the AIK's
#    quote verifies with the key from the request;
#  - a request collated by ours is activated by TrouSerS' libtspi, and one
#    collated by TrouSerS' is activated by ours (3DES and AES).
# Skips (77) without Debian's libtspi-dev or a usable tcsd.
set -u
. "$(dirname "$0")/interop_lib.sh"

ca=$top_builddir/tests/integration/identity_ca
interop_start identity-interop "$ca"
interop_build_peers "$top_srcdir/tests/interop/identity_peer.c"

TSS12_TEST_TCSD=${TSS12_TEST_TCSD:-embedded}
export TSS12_TEST_TCSD CA="$ca"
"$with_tcsd" sh -c '
	set -e
	. "$INTEROP_LIB"
	export TSS_USER_PS_FILE=$WORK/user.data
	cred="CN=interop AIK, issued by the tss12 test CA"
	step "$CA" init "$WORK"
	step $T own
	step $T ekpub "$WORK/ek.mod"
	head -c 20 /dev/urandom >"$WORK/nonce"

	# TrouSerS collates and activates; our CA in the middle.
	step $T collate "$WORK/ca.mod" aes "$WORK/t.req" "$WORK/t.aik"
	step "$CA" open "$WORK" "$WORK/t.req"
	step "$CA" activate "$WORK" "$WORK/ek.mod" "$cred" "$WORK/t.asym" "$WORK/t.sym" aes
	step $T activate "$WORK/t.aik" "$WORK/t.asym" "$WORK/t.sym" "$WORK/t.cred"
	[ "$(cat "$WORK/t.cred")" = "$cred" ] || { echo "FAIL: TrouSerS recovered another credential"; exit 1; }
	step $T quote "$WORK/t.aik" "$WORK/nonce" "$WORK/t.qdata" "$WORK/t.qsig"
	step "$CA" verify-quote "$WORK" "$WORK/nonce" "$WORK/t.qdata" "$WORK/t.qsig"
	# Ours activates what the CA made for the AIK TrouSerS collated (3DES session key).
	step "$CA" activate "$WORK" "$WORK/ek.mod" "$cred" "$WORK/t3.asym" "$WORK/t3.sym" 3des
	step $O activate "$WORK/t.aik" "$WORK/t3.asym" "$WORK/t3.sym" "$WORK/o.cred"
	[ "$(cat "$WORK/o.cred")" = "$cred" ] || { echo "FAIL: ours recovered another credential"; exit 1; }
	# A tampered request from TrouSerS is refused.
	cp "$WORK/t.req" "$WORK/bad.req"
	printf "\377" | dd of="$WORK/bad.req" bs=1 seek=300 conv=notrunc 2>/dev/null
	refuse "$CA" open "$WORK" "$WORK/bad.req"

	# Ours collates (3DES), TrouSerS activates.
	step $O collate "$WORK/ca.mod" 3des "$WORK/o.req" "$WORK/o.aik"
	step "$CA" open "$WORK" "$WORK/o.req"
	step "$CA" activate "$WORK" "$WORK/ek.mod" "$cred" "$WORK/o.asym" "$WORK/o.sym" aes
	step $T activate "$WORK/o.aik" "$WORK/o.asym" "$WORK/o.sym" "$WORK/t2.cred"
	[ "$(cat "$WORK/t2.cred")" = "$cred" ] || { echo "FAIL: TrouSerS recovered another credential"; exit 1; }
	# An activation for this AIK does not open with the other one.
	refuse $T activate "$WORK/t.aik" "$WORK/o.asym" "$WORK/o.sym" "$WORK/x.cred"
	step $O quote "$WORK/o.aik" "$WORK/nonce" "$WORK/o.qdata" "$WORK/o.qsig"
	step "$CA" verify-quote "$WORK" "$WORK/nonce" "$WORK/o.qdata" "$WORK/o.qsig"
	echo "AIK requests and activations cross both TSS stacks: ok"
'
