// Reads what `vmtopo live` compares from a running QEMU over QMP: the memory devices
// (query-memory-devices; for virtio-mem also qom-get of size, requested-size and block-size,
// the properties `qom-set … requested-size` changes), the flat view of the system address
// space (`info mtree -f` through human-monitor-command) and the vfio-pci devices (qom-list
// of /machine/peripheral and /machine/peripheral-anon: children typed child<vfio-pci>).
import { parseFlatView } from "../engine/interop/flat-view";
import type { LiveMemoryDevice, LiveVm } from "../engine/interop/live-compare";
import { QmpClient, QmpError } from "./qmp-client";

interface MemoryDeviceInfo {
  type?: unknown;
  data?: Record<string, unknown>;
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export async function readLiveVm(client: QmpClient): Promise<LiveVm> {
  const version = client.greeting?.version?.qemu;
  const devices = await client.execute<MemoryDeviceInfo[]>("query-memory-devices");
  if (!Array.isArray(devices)) throw new QmpError("query-memory-devices: not a list");
  const memoryDevices: LiveMemoryDevice[] = [];
  for (const d of devices) {
    const data = d?.data ?? {};
    const device: LiveMemoryDevice = {
      type: typeof d?.type === "string" ? d.type : "unknown",
      id: typeof data.id === "string" ? data.id : null,
      memaddr: num(data.memaddr) ?? num(data.addr) ?? 0,
      size: num(data.size) ?? 0,
    };
    if (typeof data.memdev === "string") device.memdev = data.memdev;
    if (device.type === "virtio-mem") {
      device.requestedSize = num(data["requested-size"]);
      device.blockSize = num(data["block-size"]);
      device.maxSize = num(data["max-size"]);
      if (device.id !== null) {
        // The device's own properties, as qom-set changed them (hw/virtio/virtio-mem-pci.c
        // forwards size, requested-size and block-size to the virtio device).
        const path = `/machine/peripheral/${device.id}`;
        device.size = num(await client.execute("qom-get", { path, property: "size" })) ?? device.size;
        device.requestedSize = num(await client.execute("qom-get", { path, property: "requested-size" })) ?? device.requestedSize;
        device.blockSize = num(await client.execute("qom-get", { path, property: "block-size" })) ?? device.blockSize;
      }
    }
    memoryDevices.push(device);
  }
  const mtree = await client.execute<unknown>("human-monitor-command", { "command-line": "info mtree -f" });
  if (typeof mtree !== "string") throw new QmpError("info mtree -f: no text");
  let flatView;
  try {
    flatView = parseFlatView(mtree);
  } catch {
    throw new QmpError("info mtree -f: no flat view of the system address space in QEMU's answer");
  }
  // Boot RAM is region "pc.ram" unless -machine memory-backend=ID names its backend (hw/core/machine.c).
  const backend = await client.execute<unknown>("qom-get", { path: "/machine", property: "memory-backend" }).catch(() => null);
  const vfio: string[] = [];
  for (const [container, named] of [["/machine/peripheral", true], ["/machine/peripheral-anon", false]] as const) {
    const children = await client.execute<{ name?: unknown; type?: unknown }[]>("qom-list", { path: container }).catch(() => []);
    for (const child of Array.isArray(children) ? children : []) {
      if (child?.type === "child<vfio-pci>" && typeof child.name === "string") vfio.push(named ? child.name : "(no id)");
    }
  }
  return { qemuVersion: version ? `${version.major}.${version.minor}.${version.micro}` : null, memoryDevices, flatView, bootBackend: typeof backend === "string" && backend !== "" ? backend.replace(/^\/objects\//, "") : null, vfio };
}
