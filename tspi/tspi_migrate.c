/*
 * libtspi: migration data objects, key migration, CMK, key control, revocable EK.
 */
#include "config.h"

#include "tss/tspi.h"
