// The package's version, put in by the build (scripts/build.mjs); "dev" when run from source.
declare const __VMTOPO_VERSION__: string | undefined;
export const VERSION = typeof __VMTOPO_VERSION__ === "string" ? __VMTOPO_VERSION__ : "dev";
