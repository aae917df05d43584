// Flags for headless Chromium, shared by audit.mjs and print_pdf.mjs: they keep it
// from calling home (this machine's network is closed) or needing a GPU or a sandbox.
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];
