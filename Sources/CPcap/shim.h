#ifndef HOTSHARD_CPCAP_SHIM_H
#define HOTSHARD_CPCAP_SHIM_H
#include <pcap/pcap.h>
#include <zlib.h>
#include <stdio.h>
#endif
