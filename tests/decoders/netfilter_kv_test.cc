#include "parsers/decoders/netfilter_kv.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "base/time_zone.h"

namespace culprit::parsers {
namespace {

struct Row {
  const char* name;
  const char* text;  // the body after the log prefix
  const char* src;
  int spt;
  const char* dst;
  int dpt;
  const char* proto;
  const char* in;
  const char* out;
  const char* flags;
};

// Bodies of real lines: lab-dev firewall.log (ulogd LOGEMU),
// public/firewall/crowdsec-iptables.log, crowdsec-ufw-iptables-scan.log,
// crowdsec-proxmox-pvefw.log (bridges, IPv6), RESET_SIGNATURES §7.1.
const Row kRows[] = {
    {"lab_syn",
     "IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=127.30.1.10 DST=127.0.0.1 "
     "LEN=60 TOS=00 PREC=0x00 TTL=64 ID=44050 DF PROTO=TCP SPT=38795 DPT=27500 SEQ=1105102635 "
     "ACK=0 WINDOW=65495 SYN URGP=0 MARK=0x0 ",
     "127.30.1.10", 38795, "127.0.0.1", 27500, "TCP", "lo", "", "SYN"},
    {"lab_ack_psh",
     "IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=127.30.2.10 DST=127.0.0.1 "
     "LEN=153 TOS=00 PREC=0x00 TTL=64 ID=15995 DF PROTO=TCP SPT=46369 DPT=27500 "
     "SEQ=2713320044 ACK=968051818 WINDOW=64 ACK PSH URGP=0 MARK=0x0 ",
     "127.30.2.10", 46369, "127.0.0.1", 27500, "TCP", "lo", "", "ACK PSH"},
    {"kernel_log_res",
     "IN=enp1s0 OUT= MAC=00:08:a2:0c:1f:12:00:c8:8b:e2:d6:87:08:00 SRC=195.54.160.107 "
     "DST=51.15.166.67 LEN=40 TOS=0x00 PREC=0x00 TTL=245 ID=37308 PROTO=TCP SPT=8080 DPT=8123 "
     "WINDOW=1024 RES=0x00 SYN URGP=0",
     "195.54.160.107", 8080, "51.15.166.67", 8123, "TCP", "enp1s0", "", "SYN"},
    {"vlan_interface_with_dot",
     "IN=enp.1s0 OUT= SRC=195.54.160.107 DST=51.15.166.67 LEN=40 PROTO=TCP SPT=8080 DPT=8123 "
     "WINDOW=1024 RES=0x00 SYN URGP=0",
     "195.54.160.107", 8080, "51.15.166.67", 8123, "TCP", "enp.1s0", "", "SYN"},
    {"udp_second_len",
     "IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=127.0.0.1 DST=127.0.0.53 "
     "LEN=76 TOS=0x00 PREC=0x00 TTL=64 ID=25029 DF PROTO=UDP SPT=49007 DPT=53 LEN=56 ",
     "127.0.0.1", 49007, "127.0.0.53", 53, "UDP", "lo", "", ""},
    {"proxmox_bridge",
     "IN=fwbr101i0 OUT=fwbr101i0 PHYSIN=fwln101i0 PHYSOUT=tap101i0 "
     "MAC=a2:1b:bb:df:61:a5:6e:68:28:cc:2a:0c:08:00 SRC=10.3.95.34 DST=10.3.95.200 LEN=60 "
     "TOS=0x10 PREC=0x00 TTL=63 ID=37700 DF PROTO=TCP SPT=51604 DPT=22 SEQ=3673568222 ACK=0 "
     "WINDOW=64240 SYN ",
     "10.3.95.34", 51604, "10.3.95.200", 22, "TCP", "fwbr101i0", "fwbr101i0", "SYN"},
    {"proxmox_ipv6",
     "IN=fwbr101i0 OUT=fwbr101i0 PHYSIN=fwln101i0 PHYSOUT=tap101i0 "
     "MAC=24:8a:07:50:2c:ef:5e:29:c3:7c:13:a3:86:dd SRC=2a0a:1580::a DST=2a0a:1580::17 LEN=40 "
     "TC=0 FLOWLBL=634336 HOPLIMIT=64 PROTO=TCP SPT=59368 DPT=22 SEQ=3146558957 ACK=0 "
     "WINDOW=64800 SYN ",
     "2a0a:1580::a", 59368, "2a0a:1580::17", 22, "TCP", "fwbr101i0", "fwbr101i0", "SYN"},
    {"proxmox_no_in",
     "OUT=vmbr0.94 SRC=10.3.94.12 DST=10.3.94.10 LEN=60 TOS=0x10 PREC=0x00 TTL=64 ID=59156 DF "
     "PROTO=TCP SPT=49566 DPT=22 SEQ=708451139 ACK=0 WINDOW=64240 SYN ",
     "10.3.94.12", 49566, "10.3.94.10", 22, "TCP", "", "vmbr0.94", "SYN"},
    // Sent by this host (OUTPUT chain) in answer to a client: the client is
    // DST (the columns below are client, then server).
    {"rst_ack_with_options",
     "IN= OUT=eth0 SRC=10.0.0.5 DST=198.51.100.7 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF "
     "OPT (020405B4) PROTO=TCP SPT=443 DPT=51514 WINDOW=0 RES=0x00 ACK RST URGP=0 UID=33 GID=33",
     "198.51.100.7", 51514, "10.0.0.5", 443, "TCP", "", "eth0", "ACK RST"},
    // ... but a bare SYN it sends opens a connection of its own.
    {"outbound_syn",
     "IN= OUT=eth0 SRC=10.0.0.5 DST=198.51.100.7 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=7 DF "
     "PROTO=TCP SPT=40112 DPT=5432 WINDOW=64240 RES=0x00 SYN URGP=0",
     "10.0.0.5", 40112, "198.51.100.7", 5432, "TCP", "", "eth0", "SYN"},
    {"icmp_with_embedded_packet",
     "IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.9 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=1 PROTO=ICMP "
     "TYPE=3 CODE=3 [SRC=192.0.2.9 DST=192.0.2.1 LEN=28 PROTO=UDP SPT=5 DPT=6 LEN=8 ] ",
     "192.0.2.1", 0, "192.0.2.9", 0, "ICMP", "eth0", "", ""},
};

const Row& RowNamed(std::string_view name) {
  for (const Row& row : kRows) {
    if (name == row.name) return row;
  }
  ADD_FAILURE() << "no row " << name;
  return kRows[0];
}

class NetfilterKvTest : public ::testing::Test {
 protected:
  TimeZone utc_;
  LineContext ctx_{&utc_, Timestamp()};
};

TEST_F(NetfilterKvTest, Table) {
  for (const Row& row : kRows) {
    SCOPED_TRACE(row.name);
    Event event;
    const Status s = DecodeNetfilterKv(row.text, ctx_, &event);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(event.kind, EventKind::kFirewall);
    ASSERT_TRUE(event.client_ip.has_value());
    EXPECT_EQ(event.client_ip->ToString(), row.src);
    EXPECT_EQ(event.client_port, row.spt);
    ASSERT_TRUE(event.server_ip.has_value());
    EXPECT_EQ(event.server_ip->ToString(), row.dst);
    EXPECT_EQ(event.server_port, row.dpt);
    EXPECT_EQ(event.Extra("proto"), row.proto);
    EXPECT_EQ(event.Extra("in"), row.in);
    EXPECT_EQ(event.Extra("out"), row.out);
    EXPECT_EQ(event.Extra("tcp_flags"), row.flags);
    EXPECT_EQ(event.cause, Cause::kNone);  // the format's rules decide
    EXPECT_EQ(event.Extra("direction"),
              std::string_view(row.name) == "rst_ack_with_options" ? "out" : "");
  }
}

TEST_F(NetfilterKvTest, IcmpTypeAndBridgePorts) {
  Event event;
  ASSERT_TRUE(DecodeNetfilterKv(RowNamed("icmp_with_embedded_packet").text, ctx_, &event).ok());
  EXPECT_EQ(event.Extra("icmp_type"), "3");
  EXPECT_EQ(event.Extra("icmp_code"), "3");
  Event bridge;
  ASSERT_TRUE(DecodeNetfilterKv(RowNamed("proxmox_bridge").text, ctx_, &bridge).ok());
  EXPECT_EQ(bridge.Extra("physin"), "fwln101i0");
  EXPECT_EQ(bridge.Extra("physout"), "tap101i0");
}

TEST_F(NetfilterKvTest, Errors) {
  struct Bad {
    const char* text;
    const char* message_part;
  };
  const Bad kBad[] = {
      {"IN=lo OUT= DST=127.0.0.1 PROTO=TCP SPT=1 DPT=2", "no SRC="},
      {"IN=lo OUT= SRC=127.0.0.1 PROTO=TCP SPT=1 DPT=2", "no DST="},
      {"IN=lo SRC=127.0.0.300 DST=127.0.0.1 PROTO=TCP", "SRC=\"127.0.0.300\" is not an IP"},
      {"IN=lo SRC=127.0.0.1 DST=x PROTO=TCP", "DST=\"x\" is not an IP"},
      {"IN=lo SRC=127.0.0.1 DST=127.0.0.2 PROTO=TCP SPT=70000 DPT=1", "SPT=\"70000\" is not a port"},
      {"IN=lo SRC=127.0.0.1 DST=127.0.0.2 PROTO=TCP SPT=1 DPT=-1", "DPT=\"-1\" is not a port"},
      {"", "no SRC="},
      {"garbage without keys", "no SRC="},
  };
  for (const Bad& b : kBad) {
    SCOPED_TRACE(b.text);
    Event event;
    const Status s = DecodeNetfilterKv(b.text, ctx_, &event);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(b.message_part), std::string::npos) << s.message();
  }
}

TEST_F(NetfilterKvTest, RandomBytesDoNotCrash) {
  std::mt19937 rng(77);
  const std::string base = kRows[0].text;
  for (int i = 0; i < 5000; ++i) {
    std::string s = base.substr(0, rng() % base.size());
    for (int k = 0; k < 8; ++k) {
      if (!s.empty()) s[rng() % s.size()] = static_cast<char>(rng() % 256);
    }
    if (i % 4 == 0) s += "(unclosed [SRC=";
    Event event;
    (void)DecodeNetfilterKv(s, ctx_, &event);
  }
}

}  // namespace
}  // namespace culprit::parsers
