// libvirt's generated QEMU command lines (`*.args` of libvirt's test data) as QEMU runs them on
// this machine: TCG, paused, the monitor on stdio. Only what this machine or this QEMU cannot
// run is changed, and each change is named (ADAPTATIONS) so that a test can list and bound
// them.
import { parseQemuArgv, shellWords } from "../../server/src/engine/interop/qemu-options";
import { PAUSED_WITH_MONITOR } from "./qemu-oracle";

/** Every change `runnableLibvirtArgs` may make, with why. */
export const ADAPTATIONS = {
  tcg: "-accel kvm → tcg (no KVM here)",
  monitor: "libvirt's QMP socket (-chardev/-mon), -sandbox, -msg, -daemonize and displays go: the monitor is on stdio",
  secret: "-object secret (its file is libvirt's master key, not here)",
  "disk-and-backends": "-blockdev/-drive, -netdev, audio backends other than 'none', character devices other than the monitor, and the devices using them (their images, sockets, fds and displays are not here)",
  "vhost-user": "vhost-user devices (they need a backend process on a socket)",
  vfio: "vfio-pci devices (no host devices here)",
  "host-hardware": "devices that need the host's hardware: an emulated smartcard reader (ccid-card-emulated)",
  "launch-security": "sev-guest/tdx-guest objects and confidential-guest-support (no SEV or TDX here)",
  hugetlbfs: "memory-backend-file on a hugetlbfs mount → memory-backend-memfd with hugetlb of the same page size (no hugetlbfs mounted here)",
  "mem-path": "other memory-backend-file paths → a temporary directory",
  "host-numa": "host-nodes/policy of memory backends and node-affinity of thread-context objects dropped (this machine has one NUMA node)",
  reserve: "reserve=off on backends without prealloc; prealloc dropped on huge page backends (no pool here) and on boot RAM larger than this machine's memory",
  "mem-lock": "-overcommit mem-lock=on → off (this machine cannot lock the guests' memory)",
  "dynamic-memslots": "virtio-mem-pci dynamic-memslots dropped (QEMU 8.2; this is 7.2)",
} as const;
export type Adaptation = keyof typeof ADAPTATIONS;

export interface RunnableArgs {
  binary: string;
  args: string[];
  /** the changes made, each once */
  changes: Adaptation[];
}

const GiB = 2 ** 30;

/**
 * The command line of an `.args` file as QEMU runs it here (see ADAPTATIONS). `memoryLimit`:
 * boot RAM backends larger than this lose prealloc.
 */
export function runnableLibvirtArgs(text: string, tempDir: string, memoryLimit = 2 * GiB): RunnableArgs {
  const { binary, options } = parseQemuArgv(shellWords(text));
  const changes = new Set<Adaptation>();
  const out: string[] = [];
  // Ids of what was removed: a -device using one of them goes too.
  const removed = new Set<string>();
  const monitorChardevs = new Set(options.filter((o) => o.name === "mon").map((o) => String(o.props.get("chardev"))));
  const idOf = (o: { props: Map<string, unknown> }) => String(o.props.get("id") ?? o.props.get("node-name") ?? "");
  for (const option of options) {
    const type = String(option.props.get("qom-type") ?? option.props.get("driver") ?? option.props.get("type") ?? "");
    const drop = (why: Adaptation) => {
      changes.add(why);
      const id = idOf(option);
      if (id) removed.add(id);
    };
    if (["mon", "sandbox", "msg", "display", "daemonize", "spice", "vnc"].includes(option.name)) {
      drop("monitor");
      continue;
    }
    if (option.name === "chardev") {
      drop(monitorChardevs.has(idOf(option)) ? "monitor" : "disk-and-backends");
      continue;
    }
    if (option.name === "audiodev") {
      // libvirt writes -audiodev as JSON, which QEMU's keyval parser reads; "none" runs anywhere.
      const audio = (option.raw ?? "").startsWith("{") ? (JSON.parse(option.raw!) as Record<string, unknown>) : Object.fromEntries(option.props);
      if (audio.driver !== "none") {
        changes.add("disk-and-backends");
        removed.add(String(audio.id));
        continue;
      }
    } else if (["blockdev", "drive", "netdev"].includes(option.name)) {
      drop("disk-and-backends");
      continue;
    }
    if (option.name === "accel") {
      if (option.props.get("accel") !== "tcg") changes.add("tcg");
      out.push("-accel", "tcg");
      continue;
    }
    if (option.name === "overcommit" && /mem-lock=on/.test(option.raw ?? "")) {
      changes.add("mem-lock");
      out.push("-overcommit", (option.raw ?? "").replace("mem-lock=on", "mem-lock=off"));
      continue;
    }
    if (option.name === "object" && type === "secret") {
      drop("secret");
      continue;
    }
    if (option.name === "object" && ["sev-guest", "sev-snp-guest", "tdx-guest"].includes(type)) {
      drop("launch-security");
      continue;
    }
    if (option.name === "device") {
      if (/^vfio-pci/.test(type)) {
        drop("vfio");
        continue;
      }
      if (type === "ccid-card-emulated") {
        drop("host-hardware");
        continue;
      }
      if (/^vhost-user-/.test(type)) {
        drop("vhost-user");
        continue;
      }
      const uses = ["drive", "chardev", "netdev", "audiodev"].map((p) => option.props.get(p)).filter((v) => v !== undefined).map(String);
      if (uses.some((u) => removed.has(u))) {
        drop("disk-and-backends");
        continue;
      }
    }
    let raw = option.raw;
    if (option.name === "machine" && raw !== undefined && /confidential-guest-support=/.test(raw)) {
      changes.add("launch-security");
      raw = raw.split(",").filter((p) => !p.startsWith("confidential-guest-support=")).join(",");
    }
    if (option.json && raw !== undefined) {
      const json = JSON.parse(raw) as Record<string, unknown>;
      const qomType = String(json["qom-type"] ?? "");
      if (qomType.startsWith("memory-backend-")) {
        const huge = qomType === "memory-backend-file" && /hugepages/.test(String(json["mem-path"]));
        if (huge) {
          changes.add("hugetlbfs");
          json["qom-type"] = "memory-backend-memfd";
          json.hugetlb = true;
          json.hugetlbsize = /1G|1048576/.test(String(json["mem-path"])) ? GiB : 2 ** 21;
          delete json["mem-path"];
          delete json["discard-data"];
        } else if (qomType === "memory-backend-file") {
          changes.add("mem-path");
          json["mem-path"] = tempDir;
        }
        if (json["host-nodes"] !== undefined || json.policy !== undefined) changes.add("host-numa");
        delete json["host-nodes"];
        delete json.policy;
        const isHuge = huge || json.hugetlb === true;
        if (json.prealloc === true && (isHuge || Number(json.size) > memoryLimit)) {
          changes.add("reserve");
          delete json.prealloc;
          delete json["prealloc-threads"];
          delete json["prealloc-context"];
        }
        if (json.prealloc === undefined) {
          changes.add("reserve");
          json.reserve = false;
        }
      }
      if (qomType === "thread-context" && json["node-affinity"] !== undefined) {
        changes.add("host-numa");
        delete json["node-affinity"];
      }
      if (json.driver === "virtio-mem-pci" && json["dynamic-memslots"] !== undefined) {
        changes.add("dynamic-memslots");
        delete json["dynamic-memslots"];
      }
      raw = JSON.stringify(json);
    }
    out.push(`-${option.name}`, ...(raw === undefined ? [] : [raw]));
  }
  return { binary: binary ?? "qemu-system-x86_64", args: [...out, ...PAUSED_WITH_MONITOR], changes: [...changes] };
}
