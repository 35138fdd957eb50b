"""The firewall lab: two network namespaces of the test's own joined by a veth
pair (10.x.y.0/24, nothing is added to the host's namespace). The server
namespace runs a backend instance behind iptables rules that log through
NFLOG to ulogd2 (LOGEMU lines, the kernel LOG format) and REJECT with
tcp-reset; the client namespace holds the scenario clients and a background
prober. The kernel LOG target is not used: lines from a non-initial
namespace are suppressed unless net.netfilter.nf_log_all_netns is set, and
the test leaves host sysctls alone.
"""

import os
import shutil
import subprocess

import clients as C
import servers as S

GROUP = 7


class Lab:
    def __init__(self, procs, logs, tmp, rng, here):
        self.procs, self.logs, self.tmp, self.here = procs, logs, tmp, here
        tag = "%d%04d" % (os.getpid() % 100000, rng.randint(0, 9999))
        self.ns_srv, self.ns_cli = "culprit-e2e-%s-s" % tag, "culprit-e2e-%s-c" % tag
        net = "10.%d.%d" % (rng.randint(100, 250), rng.randint(0, 255))
        self.srv_ip = net + ".1"
        self.ips = {"fw_syn_reset": net + ".2", "fw_ips_reset": net + ".4", "noise": net + ".3"}
        self.net = net
        self.ports = {"ns_app": rng.randint(20000, 29999)}
        self.ports["ns_blocked"] = self.ports["ns_app"] + 1

    def client_ip(self, name):
        return self.ips[name]

    def _ip(self, *args):
        S.run(["ip"] + list(args))

    def _nsx(self, ns, *cmd):
        S.run(["ip", "netns", "exec", ns] + list(cmd))

    def start(self):
        for tool in ("ip", "iptables", "ulogd"):
            if not shutil.which(tool):
                raise S.SetupError("%s is not installed" % tool)
        self._ip("netns", "add", self.ns_srv)
        self.procs.cleanups.append(lambda: subprocess.run(["ip", "netns", "del", self.ns_srv]))
        self._ip("netns", "add", self.ns_cli)
        self.procs.cleanups.append(lambda: subprocess.run(["ip", "netns", "del", self.ns_cli]))
        self._ip("link", "add", "e2e-s", "netns", self.ns_srv, "type", "veth",
                 "peer", "name", "e2e-c", "netns", self.ns_cli)
        for ns, dev, addrs in ((self.ns_srv, "e2e-s", [self.srv_ip]),
                               (self.ns_cli, "e2e-c", [self.ips["fw_syn_reset"],
                                                       self.ips["fw_ips_reset"],
                                                       self.ips["noise"]])):
            for a in addrs:
                self._ip("-n", ns, "addr", "add", a + "/24", "dev", dev)
            self._ip("-n", ns, "link", "set", dev, "up")
            self._ip("-n", ns, "link", "set", "lo", "up")
        app, blocked = str(self.ports["ns_app"]), str(self.ports["ns_blocked"])
        syn = ["-p", "tcp", "--dport", app, "--syn", "-s", self.ips["fw_syn_reset"]]
        ips = ["-p", "tcp", "--dport", app, "-m", "string", "--string", "GET /export/",
               "--algo", "bm"]
        rules = [
            syn + ["-j", "NFLOG", "--nflog-prefix", "[UFW BLOCK]", "--nflog-group", str(GROUP)],
            syn + ["-j", "REJECT", "--reject-with", "tcp-reset"],
            ips + ["-j", "NFLOG", "--nflog-prefix", "FW-IPS-RESET", "--nflog-group", str(GROUP)],
            ips + ["-j", "REJECT", "--reject-with", "tcp-reset"],
            ["-p", "tcp", "--dport", blocked, "--syn", "-j", "NFLOG", "--nflog-prefix",
             "[UFW BLOCK]", "--nflog-group", str(GROUP)],
            ["-p", "tcp", "--dport", blocked, "--syn", "-j", "DROP"],
        ]
        for r in rules:
            self._nsx(self.ns_srv, "iptables", "-A", "INPUT", "-i", "e2e-s", *r)
        conf = os.path.join(self.tmp, "ulogd.conf")
        with open(conf, "w") as f:
            f.write(S.ulogd_conf(self.tmp, self.logs, GROUP))
        ulogd = self.procs.start("ulogd", ["ip", "netns", "exec", self.ns_srv, "ulogd", "-c", conf])
        app_proc = self.procs.start("backend-netns", [
            "ip", "netns", "exec", self.ns_srv, "/usr/bin/python3",
            os.path.join(self.here, "backend.py"), "--listen", "%s:%s" % (self.srv_ip, app),
            "--log", self.logs["app_netns"]])
        S.wait_port(self.srv_ip, self.ports["ns_app"], app_proc, "backend-netns", self.procs,
                    netns=self.ns_cli, src=self.ips["noise"])
        self.procs.check_alive("ulogd", ulogd)
        self.procs.start("noise-netns", [
            "ip", "netns", "exec", self.ns_cli, "/usr/bin/python3",
            os.path.join(self.here, "clients.py"), "noise", self.ips["noise"],
            "%s:%s,%s:%s" % (self.srv_ip, app, self.srv_ip, blocked)])
        # ulogd is ready once the prober's blocked SYNs show up in its file.
        if not S.wait_file_contains(self.logs["firewall"], ("DPT=%s" % blocked).encode(), 10.0):
            raise S.SetupError("ulogd2 wrote no NFLOG line within 10s: %s"
                               % self.procs.output("ulogd"))

    def client(self, ip, port, send):
        cmd = ["ip", "netns", "exec", self.ns_cli, "/usr/bin/python3",
               os.path.join(self.here, "clients.py"), "connect", ip, "%s:%d" % (self.srv_ip, port)]
        if send:
            cmd += ["--send", send]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=C.IO_TIMEOUT + 10, env=S.SERVER_ENV)
        if proc.returncode != 0:
            raise RuntimeError("netns client failed: %s" % proc.stderr[-1000:])
        return C.Outcome.from_json(proc.stdout.strip().splitlines()[-1])
