/* Keys for tpm-mgmt's crypto commands: a blob file or a registered UUID (mgmt_key.c). */
#ifndef TSS12_TOOLS_MGMT_KEYFILE_H
#define TSS12_TOOLS_MGMT_KEYFILE_H

#include "mgmt.h"

int mgmt_parse_uuid(const char *s, TSS_UUID *u);
void mgmt_format_uuid(const TSS_UUID *u, char out[37]);
/*
 * Loads the key in PATH (TPM_KEY blob) or registered as UUID under the
 * SRK and sets its usage secret when it has one. An exit code.
 */
int mgmt_load_keyfile(struct tt *t, const char *path, const char *uuid, bool srk_wk, bool key_wk,
		      TSS_HKEY *key);

#endif
